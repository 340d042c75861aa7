"""The links of a round's mails: the candidate accepts or declines an interview (REC-6; a decline
tells P&O), the asked P&O adviser confirms or refuses the MT-lid's selection (REC-5, logged in),
and P&O reports the arbeidsovereenkomst drawn up (REC-10)."""

from __future__ import annotations

from poflow._exceptions import ActionRefused, RecruitmentRefused
from poflow.db.models import Step
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import moment_nl
from poflow.links import ActionLink, FormField, LinkAction
from poflow.recruitment.candidates import candidates_of
from poflow.recruitment.contract import CONTRACT_DONE, mark_contract_done
from poflow.recruitment.interviews import ACCEPT, DECLINE
from poflow.recruitment.mails import local, mail_staff
from poflow.recruitment.models import Candidate
from poflow.recruitment.rounds import get_round
from poflow.recruitment.selection import (
    CONFIRM,
    decide_selection,
    get_selection,
    pool_state,
    selection_lines,
)
from poflow.recruitment.states import SelectionState

__all__ = ["LINK_ACTIONS"]


def _describe(ctx: Context, link: ActionLink) -> str:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.starts_at is None:
        return "Dit gesprek is niet (meer) bekend."
    when = moment_nl(local(step.starts_at))
    verb = "bevestigen" if link.action == ACCEPT else "afzeggen"
    return f"U staat op het punt uw {step.title.lower()} op {when} te {verb}."


def _respond(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    cand = ctx.session.get(Candidate, link.case_id)
    if step is None or cand is None or step.case_id != cand.id or link.subject_id != cand.id:
        raise ActionRefused("Dit gesprek is niet (meer) bekend bij de gemeente.")
    if cand.state.final:
        raise ActionRefused("Uw sollicitatie is afgerond; dit gesprek gaat niet meer door.")
    answer = "accepted" if link.action == ACCEPT else "declined"
    step.data = {**step.data, "response": answer}
    ctx.audit("candidate.responded", CaseType.CANDIDATE, cand.id, step=step.id, response=answer)
    if answer == "declined":
        rnd = get_round(ctx.session, cand.round_id)
        mail_staff(
            ctx,
            rnd,
            None,
            key=f"rec.afgezegd:{cand.id}:{step.id}",
            template="recruitment/rec_afgezegd",
            extra={"candidate_id": cand.id, "start": step.starts_at and local(step.starts_at)},
        )
        return "Jammer dat het niet lukt. We hebben P&O gevraagd contact met u op te nemen."
    return "Dank u wel, we zien u graag op het gesprek!"


def _describe_contract(ctx: Context, link: ActionLink) -> str:
    rnd = get_round(ctx.session, link.case_id)
    return (
        f"Je meldt dat de arbeidsovereenkomst voor de functie {rnd.function} (ronde {rnd.id}) "
        "is opgesteld. Daarna wordt de nieuwe collega ingepland."
    )


def _contract_done(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    rnd = get_round(ctx.session, link.case_id)
    if link.subject_id != rnd.po_id:
        raise ActionRefused("Alleen de P&O-adviseur van deze ronde kan dit vastleggen.")
    try:
        done = mark_contract_done(ctx, rnd.id, by=ctx.actor)
    except RecruitmentRefused as exc:
        raise ActionRefused(
            "Voor deze ronde is (nog) geen arbeidsovereenkomst op te stellen."
        ) from exc
    if not done:
        return "De arbeidsovereenkomst stond al als opgesteld genoteerd."
    return (
        f"Vastgelegd: de arbeidsovereenkomst voor {rnd.function} is opgesteld. "
        "De nieuwe collega wordt nu ingepland."
    )


CONFIRMED, REFUSED = "bevestigen", "weigeren"
_ROUND_NL = {1: "eerste", 2: "tweede"}
_DECIDED_NL = {
    SelectionState.CONFIRMED: "bevestigd",
    SelectionState.REFUSED: "geweigerd",
    SelectionState.WITHDRAWN: "vervangen door een nieuwe selectie van het MT-lid",
}


def _selection_of(ctx: Context, link: ActionLink) -> tuple[int, str] | None:
    """The selection id the link asks about and its round's function, if it still exists."""
    raw = link.data.get("selection")
    if not isinstance(raw, int):
        return None
    try:
        sel = get_selection(ctx.session, raw)
    except RecruitmentRefused:
        return None
    if sel.round_id != link.case_id:
        return None
    return sel.id, get_round(ctx.session, sel.round_id).function


def _subject_selection(ctx: Context, link: ActionLink) -> str:
    found = _selection_of(ctx, link)
    return f"selectie voor {found[1]}" if found else "selectie"


def _describe_selection(ctx: Context, link: ActionLink) -> str:
    found = _selection_of(ctx, link)
    if found is None:
        return "Deze selectie is niet (meer) bekend."
    sel = get_selection(ctx.session, found[0])
    rnd = get_round(ctx.session, sel.round_id)
    lines = selection_lines(ctx.session, sel)
    parts = [
        f"{ctx.person(sel.proposed_by).full_name} (MT-lid) heeft de kandidaten voor de "
        f"{_ROUND_NL[sel.round_no]} gespreksronde voor {rnd.function} (team {rnd.team}, "
        f"vacature {rnd.id}) geselecteerd, in overleg met jou. Bevestig je deze selectie? Pas "
        "dan gaat ze in: de uitnodigingen kunnen worden gepland en de andere sollicitanten "
        "krijgen bericht.",
        "Geselecteerd: " + "; ".join(lines["gekozen"]) + ".",
    ]
    if lines["overgeslagen"]:
        parts.append(
            "Overgeslagen uit een hogere voorrangscategorie, met de reden van het MT-lid: "
            + "; ".join(lines["overgeslagen"])
            + "."
        )
    if lines["overig"]:
        parts.append("Niet geselecteerd: " + "; ".join(lines["overig"]) + ".")
    parts.append(
        "Weiger je de selectie? Geef dan een toelichting. Er verandert niets en het MT-lid "
        "kan opnieuw selecteren."
    )
    if sel.state is not SelectionState.PROPOSED:
        parts.append(f"Let op: deze selectie is al {_DECIDED_NL[sel.state]}.")
    return "\n\n".join(parts)


def _reason_required(values: dict[str, str]) -> dict[str, str]:
    if values.get("besluit") == REFUSED and not values.get("toelichting", "").strip():
        return {"toelichting": "Geef een toelichting: die is verplicht als je de selectie weigert."}
    return {}


def _decide(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    found = _selection_of(ctx, link)
    if found is None:
        raise ActionRefused("Deze selectie is niet (meer) bekend bij poflow.")
    sel = get_selection(ctx.session, found[0])
    if link.subject_id != sel.po_id or ctx.actor != sel.po_id:
        raise ActionRefused("Alleen de gevraagde P&O-adviseur kan deze selectie bevestigen.")
    if sel.state is not SelectionState.PROPOSED:
        raise ActionRefused(
            f"Deze selectie is al {_DECIDED_NL[sel.state]}. Je hoeft niets meer te doen."
        )
    confirm = form.get("besluit") == CONFIRMED
    try:
        decide_selection(ctx, sel.id, confirm=confirm, reason=form.get("toelichting"))
    except RecruitmentRefused as exc:
        rnd = get_round(ctx.session, sel.round_id)
        if rnd.state.final:
            closed = "Deze wervingsronde is afgesloten; er is niets vastgelegd."
            raise ActionRefused(closed) from exc
        current = [c for c in candidates_of(ctx, rnd) if c.state is pool_state(sel.round_no)]
        if {c.id for c in current} != set(sel.pool):
            raise ActionRefused(
                "Sinds het MT-lid selecteerde, zijn er sollicitanten bijgekomen of afgevallen. "
                "Er is niets vastgelegd: vraag het MT-lid opnieuw te selecteren."
            ) from exc
        raise ActionRefused("Deze selectie kan nu niet worden vastgelegd.") from exc
    if not confirm:
        return (
            "Je weigering is vastgelegd, met je toelichting. Het MT-lid krijgt bericht en kan "
            "opnieuw selecteren; er is verder niets veranderd."
        )
    n = len(sel.chosen)
    who = "1 kandidaat gaat" if n == 1 else f"{n} kandidaten gaan"
    return (
        f"Je bevestiging is vastgelegd: de selectie voor de {_ROUND_NL[sel.round_no]} "
        f"gespreksronde gaat in en {who} door. De andere sollicitanten krijgen bericht en de "
        "gesprekken kunnen worden gepland."
    )


LINK_ACTIONS = (
    *(
        LinkAction(
            name=name,
            needs_login=False,  # a candidate answers: no staff member, no login
            title=title,
            done=done,
            describe=_describe,
            perform=_respond,
            button=button,
            expires_days=30,
        )
        for name, title, done, button in (
            (ACCEPT, "Gesprek bevestigen", "gesprek bevestigd", "Ik kom naar het gesprek"),
            (DECLINE, "Gesprek afzeggen", "gesprek afgezegd", "Ik kan niet komen"),
        )
    ),
    LinkAction(
        name=CONFIRM,
        needs_login=True,  # P&O's own consultation (REC-5): only the asked adviser, logged in
        title="Selectie bevestigen",
        done="selectie beslist",
        describe=_describe_selection,
        perform=_decide,
        subject=_subject_selection,
        fields=(
            FormField(
                "besluit",
                "Je besluit",
                kind="select",
                required=True,
                personal=False,
                choices=((CONFIRMED, "Selectie bevestigen"), (REFUSED, "Selectie weigeren")),
            ),
            FormField(
                "toelichting",
                "Toelichting (verplicht bij weigeren)",
                kind="textarea",
                max_length=2000,
            ),
        ),
        button="Besluit vastleggen",
        expires_days=30,
        extra={"validate": _reason_required},
    ),
    LinkAction(
        name=CONTRACT_DONE,
        needs_login=False,  # a task done (like a checklist item), only by the round's P&O
        title="Opgestelde arbeidsovereenkomst melden",
        done="arbeidsovereenkomst gemeld als opgesteld",
        describe=_describe_contract,
        perform=_contract_done,
        button="De arbeidsovereenkomst is opgesteld",
        expires_days=60,
    ),
)
