"""The coach's action links: record a registration (REGISTER), update a trajectory (UPDATE)
(LBC-1/2).

Both links are bound to the coach's person id (the link's subject); the web app performs them
with a Context whose actor is that coach. A coach can only ever change their own records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from poflow._exceptions import CoachingRefused, IllegalTransition
from poflow.coaching.config import coaching_section
from poflow.coaching.models import CoachingRegistration
from poflow.coaching.registrations import (
    NewRegistration,
    end_trajectory,
    own_registration,
    register,
    resume_trajectory,
    set_consent,
    set_goal,
)
from poflow.coaching.rules import may_inform_manager, parse_yes_no
from poflow.coaching.states import (
    GOAL_LABELS,
    GOALS,
    STATE_LABELS,
    GoalState,
    TrajectoryState,
    parse_goal,
    parse_state,
)
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.links import ActionLink, FormField, LinkAction, link_url

__all__ = ["LINK_ACTIONS", "REGISTER", "UPDATE", "register_link", "update_link"]

T = TypeVar("T")
_GOALS = (("", "(geen wijziging)"), *((g.value, label) for g, label in GOAL_LABELS.items()))
_STATES = (("", "(geen wijziging)"), *((s.value, label) for s, label in STATE_LABELS.items()))
_CONSENT = (
    ("", "(geen wijziging)"),
    ("ja", "Ja, de medewerker vindt dat goed"),
    ("nee", "Nee, de leidinggevende hoort niets"),
)


def _parse_date(value: str, label: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CoachingRefused(f"{label}: {value!r} is geen datum (JJJJ-MM-DD).") from None


def _parse(fn: Callable[[str], T], value: str, label: str) -> T:
    try:
        return fn(value)
    except ValueError as exc:
        raise CoachingRefused(f"{label}: {exc}.") from None


def _describe_register(ctx: Context, link: ActionLink) -> str:
    section = coaching_section(ctx.config)
    return (
        "Leg een nieuwe aanmelding bij de loopbaancoach vast. De naam blijft in jouw eigen "
        "dossier; rapportages tonen alleen aantallen. "
        f"Domeinen: {section.describe('domains')}. Redenen: {section.describe('reasons')}. "
        f"Bronnen: {section.describe('sources')}. Je mag het nummer of de naam invullen."
    )


def _perform_register(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    consent = _parse(parse_yes_no, form.get("manager_consent", ""), "Toestemming")
    reg = register(
        ctx,
        NewRegistration(
            coach_id=link.subject_id,
            employee_name=form.get("employee_name", ""),
            registered_on=_parse_date(form.get("registered_on", ""), "Datum aanmelding"),
            domain=form.get("domain", ""),
            reason=form.get("reason", ""),
            source=form.get("source", ""),
            manager_id=form.get("manager_id", "").strip() or None,
            manager_consent=consent,
            goal1_text=form.get("goal1_text", "").strip() or None,
            note=form.get("note", "").strip() or None,
        ),
    )
    told = (
        " De leidinggevende krijgt een bericht."
        if may_inform_manager(reg.manager_consent, reg.manager_id)
        else ""
    )
    return f"Aanmelding {reg.ref} is vastgelegd.{told}"


def _registration(ctx: Context, link: ActionLink) -> CoachingRegistration:
    return own_registration(ctx, link.case_id, link.subject_id)


def _describe_update(ctx: Context, link: ActionLink) -> str:
    reg = _registration(ctx, link)
    section = coaching_section(ctx.config)
    # By number only: the page is reachable by whoever holds the link (LBC-3).
    return (
        f"Traject {reg.ref} (aangemeld {reg.registered_on}): "
        f"{STATE_LABELS[reg.state]}. Redenen om te stoppen: "
        f"{section.describe('early_end_reasons')}."
    )


def _needs_reason(values: dict[str, str]) -> dict[str, str]:
    """Cross-field check for the web form: stopping needs a reason."""
    if values.get("status") == TrajectoryState.ENDED_EARLY.value and not values.get("end_reason"):
        return {"end_reason": "Vul de reden van stoppen in."}
    return {}


def _perform_update(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    reg = _registration(ctx, link)
    try:
        _apply_update(ctx, reg, form)
    except IllegalTransition as exc:
        goals = ", ".join(
            f"doel {n}: {GOAL_LABELS[g] if g else 'niet gesteld'}"
            for n, g in ((1, reg.goal1), (2, reg.goal2))
        )
        raise CoachingRefused(
            f"Deze wijziging kan niet vanuit de huidige stand van traject "
            f"{reg.ref} ({STATE_LABELS[reg.state]}; {goals}). Doel 2 kan pas "
            "na doel 1, en een afgerond traject of een behaald doel staat "
            "vast."
        ) from exc
    return f"Traject {reg.ref} is bijgewerkt: {STATE_LABELS[reg.state]}."


def _apply_update(ctx: Context, reg: CoachingRegistration, form: dict[str, str]) -> None:
    for n in GOALS:
        state = _parse(parse_goal, form.get(f"goal{n}", ""), f"Doel {n}")
        text = form.get(f"goal{n}_text", "").strip() or None
        if state is None and text:  # a goal written down without a state is an open goal
            state = (reg.goal1 if n == 1 else reg.goal2) or GoalState.OPEN
        if state is not None:
            set_goal(ctx, reg, n, state, text=text)
    consent = form.get("manager_consent", "").strip()
    if consent:
        set_consent(
            ctx,
            reg,
            _parse(parse_yes_no, consent, "Toestemming"),
            manager_id=form.get("manager_id", "").strip() or None,
        )
    status = form.get("status", "").strip()
    if status:
        target = _parse(parse_state, status, "Stand")
        if target is TrajectoryState.ACTIVE and reg.state is not TrajectoryState.ACTIVE:
            resume_trajectory(ctx, reg)
        elif target is not TrajectoryState.ACTIVE:
            reason = form.get("end_reason", "").strip() or None
            if target is TrajectoryState.ENDED_EARLY and not reason:
                raise CoachingRefused("Vul de reden van stoppen in.")
            on = form.get("ended_on", "").strip()
            end_trajectory(
                ctx,
                reg,
                on=_parse_date(on, "Einddatum") if on else ctx.day,
                early_reason=reason if target is TrajectoryState.ENDED_EARLY else None,
            )


REGISTER = LinkAction(
    name="coaching.register",
    needs_login=True,
    title="Aanmelding loopbaancoach vastleggen",
    done="aanmelding loopbaancoach vastgelegd",
    describe=_describe_register,
    perform=_perform_register,
    single_use=False,  # the coach's own form for every registration until the link expires
    expires_days=62,
    button="Aanmelding vastleggen",
    fields=(
        FormField(
            "employee_name", "Naam medewerker (alleen voor jou)", required=True, max_length=200
        ),
        FormField("registered_on", "Datum aanmelding", kind="date", required=True),
        FormField("domain", "Domein", required=True, max_length=120, personal=False),
        FormField("reason", "Reden van aanmelding", required=True, max_length=120, personal=False),
        FormField(
            "source",
            "Hoe kwam de aanmelding tot stand",
            required=True,
            max_length=120,
            personal=False,
        ),
        FormField("goal1_text", "Doel 1 (optioneel)", kind="textarea"),
        FormField(
            "manager_id",
            "Personeelsnummer leidinggevende (optioneel)",
            max_length=40,
            personal=False,
        ),
        FormField(
            "manager_consent",
            "Mag de leidinggevende het weten?",
            kind="select",
            choices=(("nee", "Nee"), ("ja", "Ja, de medewerker vindt dat goed")),
            personal=False,
        ),
        FormField("note", "Notitie (alleen voor jou)", kind="textarea"),
    ),
)

UPDATE = LinkAction(
    name="coaching.update",
    needs_login=True,
    title="Loopbaantraject bijwerken",
    done="loopbaantraject bijgewerkt",
    describe=_describe_update,
    perform=_perform_update,
    single_use=False,
    expires_days=62,
    button="Opslaan",
    extra={"validate": _needs_reason},
    fields=(
        FormField("goal1", "Doel 1", kind="select", choices=_GOALS, personal=False),
        FormField("goal1_text", "Doel 1 omschrijving (alleen voor jou)", kind="textarea"),
        FormField("goal2", "Doel 2", kind="select", choices=_GOALS, personal=False),
        FormField("goal2_text", "Doel 2 omschrijving (alleen voor jou)", kind="textarea"),
        FormField(
            "status", "Stand van het traject", kind="select", choices=_STATES, personal=False
        ),
        FormField("end_reason", "Reden van stoppen (bij gestopt)", max_length=120, personal=False),
        FormField("ended_on", "Einddatum (leeg is vandaag)", kind="date", personal=False),
        FormField(
            "manager_consent",
            "Mag de leidinggevende het weten?",
            kind="select",
            choices=_CONSENT,
            personal=False,
        ),
        FormField(
            "manager_id",
            "Personeelsnummer leidinggevende (optioneel)",
            max_length=40,
            personal=False,
        ),
    ),
)


def register_link(ctx: Context, coach_id: str) -> str:
    """A registration form link for the coach, bound to the coach's person id."""
    return link_url(
        ctx,
        action=REGISTER.name,
        subject_id=coach_id,
        case_type=CaseType.COACHING,
        case_id=coach_id,
    )


def update_link(ctx: Context, reg: CoachingRegistration) -> str:
    """An update form link for one of the coach's trajectories, bound to that coach."""
    return link_url(
        ctx,
        action=UPDATE.name,
        subject_id=reg.coach_id,
        case_type=CaseType.COACHING,
        case_id=reg.case_id,
    )


LINK_ACTIONS = (REGISTER, UPDATE)
