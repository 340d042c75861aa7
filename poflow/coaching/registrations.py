"""The coach's registrations: register, set goals, end or resume, consent (LBC-1..3); every
change audited (X-4).

Only the coach who holds a record may change it. The leidinggevende hears of a trajectory only
when the employee agreed (`manager_consent`), and then by one mail (X-1). What reports count is
read name-free by `status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow._exceptions import CoachingRefused, NotFound
from poflow.coaching.config import ChoiceKind, CoachingSection, coaching_section
from poflow.coaching.models import CoachingRegistration
from poflow.coaching.rules import end_date_allowed, may_inform_manager
from poflow.coaching.states import (
    TRAJECTORY_STATES,
    GoalState,
    TrajectoryState,
    check_goal_change,
)
from poflow.db.models import Person
from poflow.engine import Context, cancel_queued_mail
from poflow.kernel.vocabulary import CaseType, Role

__all__ = [
    "NewRegistration",
    "end_trajectory",
    "own_registration",
    "register",
    "resume_trajectory",
    "set_consent",
    "set_goal",
]

MANAGER_MAIL = "coaching/leidinggevende"


@dataclass(frozen=True)
class NewRegistration:
    """What the coach records when a colleague registers (LBC-1)."""

    coach_id: str
    employee_name: str
    registered_on: date
    domain: str
    reason: str
    source: str
    ref: str | None = None
    employee_id: str | None = None
    manager_id: str | None = None
    manager_consent: bool = False
    goal1_text: str | None = None
    note: str | None = None


def _key(section: CoachingSection, kind: ChoiceKind, value: str, what: str) -> str:
    key = section.match(kind, value)
    if key is None:
        raise CoachingRefused(f"Onbekende {what} {value!r}. Kies uit: {section.describe(kind)}.")
    return key


def _person_with_role(ctx: Context, person_id: str, role: Role, what: str) -> Person:
    person = ctx.session.get(Person, person_id)
    if person is None or person.municipality != ctx.municipality:
        raise CoachingRefused(f"{what} {person_id} is geen medewerker van {ctx.config.name}.")
    if role not in person.role_names:
        raise CoachingRefused(f"{what} {person_id} heeft niet de rol {role}.")
    return person


def _next_ref(session: Session, municipality: str, year: int) -> str:
    taken = session.scalar(
        select(func.count())
        .select_from(CoachingRegistration)
        .where(
            CoachingRegistration.municipality == municipality,
            CoachingRegistration.ref.like(f"{year}-%"),
        )
    )
    n = (taken or 0) + 1
    while (
        session.scalar(
            select(CoachingRegistration.id).where(
                CoachingRegistration.municipality == municipality,
                CoachingRegistration.ref == f"{year}-{n:03d}",
            )
        )
        is not None
    ):
        n += 1
    return f"{year}-{n:03d}"


def register(ctx: Context, new: NewRegistration) -> CoachingRegistration:
    """Record a registration with goal 1 open when given; tell the manager only with consent."""
    section = coaching_section(ctx.config)
    _person_with_role(ctx, new.coach_id, Role.LOOPBAANCOACH, "Loopbaancoach")
    if not new.employee_name.strip():
        raise CoachingRefused("Vul de naam van de medewerker in (alleen zichtbaar voor jou).")
    if new.registered_on > ctx.day:
        raise CoachingRefused(f"De aanmelddatum {new.registered_on} ligt in de toekomst.")
    if new.manager_id:
        _person_with_role(ctx, new.manager_id, Role.LEIDINGGEVENDE, "Leidinggevende")
    ref = new.ref or _next_ref(ctx.session, ctx.municipality, new.registered_on.year)
    if (
        ctx.session.scalar(
            select(CoachingRegistration.id).where(
                CoachingRegistration.municipality == ctx.municipality,
                CoachingRegistration.ref == ref,
            )
        )
        is not None
    ):
        raise CoachingRefused(f"Er is al een aanmelding met nummer {ref}.")
    reg = CoachingRegistration(
        municipality=ctx.municipality,
        ref=ref,
        coach_id=new.coach_id,
        employee_name=new.employee_name.strip(),
        employee_id=new.employee_id or None,
        manager_id=new.manager_id or None,
        manager_consent=new.manager_consent,
        registered_on=new.registered_on,
        domain=_key(section, "domains", new.domain, "domein"),
        reason=_key(section, "reasons", new.reason, "reden"),
        source=_key(section, "sources", new.source, "bron"),
        state=TrajectoryState.ACTIVE,
        goal1=GoalState.OPEN if new.goal1_text else None,
        goal1_text=new.goal1_text or None,
        note=new.note or None,
    )
    ctx.session.add(reg)
    ctx.session.flush()
    ctx.audit(
        "coaching.registered",
        CaseType.COACHING,
        reg.case_id,
        coach=reg.coach_id,
        domain=reg.domain,
        reason=reg.reason,
        source=reg.source,
        consent=reg.manager_consent,
    )
    _inform_manager(ctx, reg)
    return reg


def own_registration(
    ctx: Context, registration_id: int | str, coach_id: str
) -> CoachingRegistration:
    """A registration of `coach_id`; another coach's record is refused (LBC-3)."""
    reg = ctx.session.get(CoachingRegistration, int(registration_id))
    if reg is None or reg.municipality != ctx.municipality:
        raise NotFound(f"Aanmelding {registration_id} bestaat niet in {ctx.config.name}.")
    if reg.coach_id != coach_id:
        raise CoachingRefused(
            f"Aanmelding {registration_id} hoort bij een andere loopbaancoach; "
            "alleen die coach kan haar inzien of wijzigen."
        )
    return reg


def set_goal(
    ctx: Context,
    reg: CoachingRegistration,
    number: int,
    state: GoalState,
    *,
    text: str | None = None,
) -> None:
    """Set goal 1 or 2 (open, achieved, not achieved) and optionally its text (LBC-2)."""
    what = f"registration {reg.id}"
    current = reg.goal1 if number == 1 else reg.goal2
    check_goal_change(what, number, current, state, goal1=reg.goal1)
    if number == 1:
        reg.goal1, reg.goal1_text = state, text or reg.goal1_text
    else:
        reg.goal2, reg.goal2_text = state, text or reg.goal2_text
    if current != state:
        ctx.audit(
            "coaching.goal",
            CaseType.COACHING,
            reg.case_id,
            goal=number,
            before=current.value if current else None,
            after=state.value,
        )


def end_trajectory(
    ctx: Context, reg: CoachingRegistration, *, on: date, early_reason: str | None = None
) -> None:
    """Close the trajectory: completed, or ended early with a configured reason (LBC-2)."""
    if not end_date_allowed(on, registered_on=reg.registered_on, today=ctx.day):
        raise CoachingRefused(
            f"De einddatum {on} moet tussen de aanmelding ({reg.registered_on}) en vandaag liggen."
        )
    target = TrajectoryState.ENDED_EARLY if early_reason else TrajectoryState.COMPLETED
    TRAJECTORY_STATES.check(f"registration {reg.id}", reg.state, target)
    section = coaching_section(ctx.config)
    reg.end_reason = (
        _key(section, "early_end_reasons", early_reason, "reden van stoppen")
        if early_reason
        else None
    )
    reg.state, reg.ended_on = target, on
    ctx.audit(
        "coaching.ended", CaseType.COACHING, reg.case_id, state=target.value, reason=reg.end_reason
    )


def resume_trajectory(ctx: Context, reg: CoachingRegistration) -> None:
    """Pick up a trajectory that was stopped for a while (seed 004: tijdelijk gestopt)."""
    TRAJECTORY_STATES.check(f"registration {reg.id}", reg.state, TrajectoryState.ACTIVE)
    reg.state, reg.ended_on, reg.end_reason = TrajectoryState.ACTIVE, None, None
    ctx.audit("coaching.resumed", CaseType.COACHING, reg.case_id)


def set_consent(
    ctx: Context, reg: CoachingRegistration, consent: bool, *, manager_id: str | None = None
) -> None:
    """Record whether the employee agrees that the leidinggevende is told (LBC-3).

    Consent given: one mail to the manager. Consent withdrawn: a mail not yet sent is withdrawn.
    """
    if manager_id:
        _person_with_role(ctx, manager_id, Role.LEIDINGGEVENDE, "Leidinggevende")
        reg.manager_id = manager_id
    if reg.manager_consent != consent:
        reg.manager_consent = consent
        ctx.audit("coaching.consent", CaseType.COACHING, reg.case_id, consent=consent)
    if consent:
        _inform_manager(ctx, reg)
    else:
        cancel_queued_mail(ctx.session, case_type=CaseType.COACHING, case_id=reg.case_id)


def _inform_manager(ctx: Context, reg: CoachingRegistration) -> None:
    if not may_inform_manager(reg.manager_consent, reg.manager_id) or reg.manager_id is None:
        return  # the second test only narrows the type: consent without a manager tells no one
    manager = ctx.recipient(ctx.person(reg.manager_id))
    coach = ctx.person(reg.coach_id)
    queued = ctx.mail(
        key=f"lbc.manager:{reg.municipality}:{reg.id}:{reg.manager_id}",
        template=MANAGER_MAIL,
        to=manager,
        case_type=CaseType.COACHING,
        case_id=reg.case_id,
        context={
            "medewerker": reg.employee_name,
            "coach": coach.full_name,
            "coach_email": coach.email,
        },
    )
    if queued is not None:
        ctx.audit(
            "coaching.manager_informed", CaseType.COACHING, reg.case_id, manager=reg.manager_id
        )
