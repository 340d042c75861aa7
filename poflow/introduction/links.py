"""What the introduction programme's mailed links do (INT-1, INT-3..5): answer a session
invitation, record attendance, report an item done or a talk held, enrol a secondary hire."""

from __future__ import annotations

from typing import Any

from poflow._exceptions import ActionRefused, EnrolmentRefused, IllegalTransition
from poflow.db.models import Hire, Step
from poflow.introduction.attendance import answer_invitation, record_attendance
from poflow.introduction.deadline import LATE
from poflow.introduction.kinds import (
    LINK_ABSENT,
    LINK_ENROL,
    LINK_ITEM_DONE,
    LINK_NO,
    LINK_PRESENT,
    LINK_TALK_HELD,
    LINK_YES,
    PROCESS,
)
from poflow.introduction.models import SessionParticipant
from poflow.introduction.planner import enrol
from poflow.introduction.steps import complete_step
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl
from poflow.links import ActionLink, LinkAction

__all__ = ["LINK_ACTIONS"]


def _place(ctx: Any, link: ActionLink) -> SessionParticipant:
    p = ctx.session.get(SessionParticipant, int(link.data.get("participant", 0)))
    case = p.hire_id if link.case_type == CaseType.HIRE else str(p.session_id) if p else None
    if p is None or case != link.case_id:
        raise ActionRefused("Deze uitnodiging bestaat niet meer.")
    return p


def _hire_name(ctx: Any, hire_id: str) -> str:
    hire = ctx.session.get(Hire, hire_id)
    return hire.full_name if hire else hire_id


def _when(p: SessionParticipant) -> str:
    return f"{p.session.title} op {date_nl(p.session.session_date)}"


def _answer(accept: bool) -> Any:
    def perform(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
        p = _place(ctx, link)
        try:
            answer_invitation(ctx, p, accept=accept, by=ctx.actor)
        except IllegalTransition as exc:
            raise ActionRefused(
                "Dit kan niet meer: de bijeenkomst is al geweest of je aanmelding is al verwerkt."
            ) from exc
        if accept:
            return f"Fijn dat je erbij bent! We zien je bij de {_when(p)}."
        return (
            "Jammer dat je er niet bij kunt zijn. Je ontvangt vanzelf een uitnodiging "
            "voor de volgende keer."
        )

    return perform


def _attendance(attended: bool) -> Any:
    def perform(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
        p = _place(ctx, link)
        try:
            record_attendance(ctx, p, attended=attended, by=ctx.actor)
        except IllegalTransition as exc:
            raise ActionRefused(
                f"De aanwezigheid kan zo niet worden vastgelegd: {p.status.value}."
            ) from exc
        word = "aanwezig" if attended else "afwezig"
        return f"Vastgelegd: {_hire_name(ctx, p.hire_id)} was {word} bij de {_when(p)}."

    return perform


def _step(ctx: Any, link: ActionLink) -> Step:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.case_id != link.case_id or step.process != PROCESS:
        raise ActionRefused("Dit onderdeel bestaat niet meer.")
    return step


def _item_done(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
    step = _step(ctx, link)
    if not complete_step(ctx, step, by=ctx.actor, source="link"):
        return f"'{step.title}' stond al als afgerond genoteerd. Dank je wel!"
    if (step.data or {}).get(LATE):  # INT-4: after the deadline
        return (
            f"'{step.title}' staat als afgerond in je portfolio, na de deadline van "
            f"{date_nl(step.due_date)}: we noteren het als te laat."
        )
    return f"Top! '{step.title}' staat als afgerond in je portfolio."


def _talk_held(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
    step = _step(ctx, link)
    if not complete_step(ctx, step, by=ctx.actor, source="link"):
        return "Dit gesprek stond al als gehouden genoteerd."
    return f"Vastgelegd: '{step.title}' met {_hire_name(ctx, step.case_id)} heeft plaatsgevonden."


def _enrol(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
    try:
        enrol(ctx, link.case_id, by=ctx.actor)
    except EnrolmentRefused as exc:
        raise ActionRefused("Aanmelden lukt niet: neem contact op met P&O.") from exc
    return (
        f"{_hire_name(ctx, link.case_id)} is aangemeld voor het introductieprogramma. "
        "De uitnodigingen volgen vanzelf."
    )


LINK_ACTIONS = (
    LinkAction(
        name=LINK_YES,
        needs_login=False,
        title="Aanmelden voor de bijeenkomst",
        done="aangemeld voor de bijeenkomst",
        button="Ik kom",
        describe=lambda ctx, link: f"Je meldt je aan voor de {_when(_place(ctx, link))}.",
        perform=_answer(True),
    ),
    LinkAction(
        name=LINK_NO,
        needs_login=False,
        title="Afmelden voor de bijeenkomst",
        done="afgemeld voor de bijeenkomst",
        button="Afmelden",
        describe=lambda ctx, link: (
            f"Je meldt je af voor de {_when(_place(ctx, link))}. "
            "Je wordt uitgenodigd voor de volgende."
        ),
        perform=_answer(False),
    ),
    LinkAction(
        name=LINK_PRESENT,
        needs_login=False,
        title="Aanwezigheid vastleggen",
        done="aanwezigheid vastgelegd",
        button="Aanwezig",
        describe=lambda ctx, link: (
            f"{_hire_name(ctx, _place(ctx, link).hire_id)} was "
            f"aanwezig bij de {_when(_place(ctx, link))}."
        ),
        perform=_attendance(True),
    ),
    LinkAction(
        name=LINK_ABSENT,
        needs_login=False,
        title="Afwezigheid vastleggen",
        done="afwezigheid vastgelegd",
        button="Afwezig",
        describe=lambda ctx, link: (
            f"{_hire_name(ctx, _place(ctx, link).hire_id)} was "
            f"niet bij de {_when(_place(ctx, link))}; volgt een "
            "nieuwe uitnodiging."
        ),
        perform=_attendance(False),
    ),
    LinkAction(
        name=LINK_ITEM_DONE,
        needs_login=False,
        title="Onderdeel afvinken",
        done="onderdeel afgevinkt",
        subject=lambda ctx, link: f"'{_step(ctx, link).title}'",
        button="Onderdeel afvinken",
        describe=lambda ctx, link: f"Je meldt '{_step(ctx, link).title}' als afgerond.",
        perform=_item_done,
    ),
    LinkAction(
        name=LINK_TALK_HELD,
        needs_login=True,
        title="Gevoerd gesprek vastleggen",
        done="gesprek vastgelegd als gehouden",
        button="Vastleggen",
        describe=lambda ctx, link: (
            f"'{_step(ctx, link).title}' met {_hire_name(ctx, link.case_id)} heeft plaatsgevonden."
        ),
        perform=_talk_held,
    ),
    LinkAction(
        name=LINK_ENROL,
        needs_login=True,
        title="Aanmelden voor het introductieprogramma",
        done="aangemeld voor het introductieprogramma",
        button="Aanmelden",
        describe=lambda ctx, link: (
            f"Je meldt {_hire_name(ctx, link.case_id)} aan voor "
            "de korte variant van het introductieprogramma."
        ),
        perform=_enrol,
    ),
)
