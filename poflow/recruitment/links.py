"""The links of a round's mails: the candidate accepts or declines an interview (REC-6; a decline
tells P&O), and P&O reports the arbeidsovereenkomst drawn up (REC-10)."""

from __future__ import annotations

from poflow._exceptions import ActionRefused, RecruitmentRefused
from poflow.db.models import Step
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import moment_nl
from poflow.links import ActionLink, LinkAction
from poflow.recruitment.contract import CONTRACT_DONE, mark_contract_done
from poflow.recruitment.interviews import ACCEPT, DECLINE
from poflow.recruitment.mails import local, mail_staff
from poflow.recruitment.models import Candidate
from poflow.recruitment.rounds import get_round

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
