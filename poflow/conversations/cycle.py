"""Starting a cycle (GES-1): the cycle itself, a hire's once the introduction programme's
startontwikkelgesprek is held (INT-5), existing staff's on a date P&O chooses. (The planner
starts a hire's cycle from probation.)"""

from __future__ import annotations

from datetime import date

from poflow._exceptions import IllegalTransition, InputRefused, NotFound
from poflow.conversations.case import Case, find_cycle, section
from poflow.conversations.models import CycleBasis, GesCycle
from poflow.conversations.rules import holds_talks, richtgesprek_after_introduction
from poflow.conversations.states import CycleState
from poflow.conversations.talks import plan_round
from poflow.db.models import Hire, Step
from poflow.engine import TZ, Context
from poflow.kernel.vocabulary import CaseType

__all__ = [
    "INTRO_STEP",
    "new_cycle",
    "start_after_introduction",
    "start_case_cycle",
    "start_cycle",
    "update_cycle_facts",
]

# The introduction programme's closing talk, a step of the hire (INT-5); DONE when held.
INTRO_STEP = "int:startontwikkelgesprek"


def new_cycle(
    ctx: Context,
    *,
    case_type: str,
    case_id: str,
    manager_id: str,
    basis: CycleBasis,
    first: date,
    joined_on: date,
    raise_anchor: date,
    last_raise_on: date | None = None,
    last_promotion_on: date | None = None,
    at_scale_max: bool = False,
) -> GesCycle:
    """Create an active cycle whose first round starts with `first` (audited, not yet planned)."""
    cycle = GesCycle(
        municipality=ctx.municipality,
        case_type=case_type,
        case_id=case_id,
        manager_id=manager_id,
        basis=basis,
        state=CycleState.ACTIVE,
        first_richtgesprek=first,
        current_round=1,
        joined_on=joined_on,
        raise_anchor=raise_anchor,
        last_raise_on=last_raise_on,
        last_promotion_on=last_promotion_on,
        at_scale_max=at_scale_max,
    )
    ctx.session.add(cycle)
    ctx.session.flush()
    ctx.audit(
        "ges.cycle.started",
        "ges_cycle",
        str(cycle.id),
        case=case_id,
        basis=basis.value,
        first=first.isoformat(),
    )
    return cycle


def _held_on(step: Step) -> date:
    """The day a talk took place: its appointment, else when it was recorded, else its due date."""
    if step.starts_at is not None:
        return step.starts_at.astimezone(TZ).date()
    if step.done_at is not None:
        return step.done_at.astimezone(TZ).date()
    return step.due_date


def start_after_introduction(ctx: Context, hire: Hire, intro: Step) -> GesCycle:
    """Start the cycle of a hire whose startontwikkelgesprek was held (INT-5 -> GES-1)."""
    cfg = section(ctx)
    as_richt = cfg.startontwikkelgesprek_is_richtgesprek
    first = richtgesprek_after_introduction(
        ctx.calendar,
        _held_on(intro),
        counts_as_richtgesprek=as_richt,
        working_days_after=cfg.richtgesprek_working_days_after_probation,
    )
    cycle = new_cycle(
        ctx,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        manager_id=hire.manager_id,
        basis=CycleBasis.INTRODUCTIE,
        first=first,
        joined_on=hire.start_date,
        raise_anchor=hire.start_date,
    )
    plan_round(ctx, cycle, 1, richt_held=as_richt)
    return cycle


def start_cycle(
    ctx: Context,
    *,
    case_type: str,
    case_id: str,
    on: date,
    manager_id: str,
    joined_on: date,
    last_raise_on: date | None = None,
    last_promotion_on: date | None = None,
    at_scale_max: bool = False,
) -> GesCycle:
    """Start the cycle of existing staff on a chosen date: the first richtgesprek (GES-1)."""
    existing = find_cycle(ctx.session, case_type, case_id)
    if existing is not None:
        raise IllegalTransition(
            f"Cannot start a conversation cycle for {case_type} {case_id}: it already has one "
            f"(cycle {existing.id}, first richtgesprek {existing.first_richtgesprek})."
        )
    manager = ctx.person(manager_id)
    if not holds_talks(manager.role_names, manager.municipality, ctx.municipality):
        raise IllegalTransition(
            f"Cannot start a conversation cycle for {case_type} {case_id} with manager "
            f"{manager_id}: that person is not a leidinggevende of {ctx.municipality}."
        )
    cycle = new_cycle(
        ctx,
        case_type=case_type,
        case_id=case_id,
        manager_id=manager_id,
        basis=CycleBasis.GEKOZEN,
        first=ctx.calendar.next_working_day(on),
        joined_on=joined_on,
        raise_anchor=last_raise_on or joined_on,
        last_raise_on=last_raise_on,
        last_promotion_on=last_promotion_on,
        at_scale_max=at_scale_max,
    )
    plan_round(ctx, cycle, 1)
    return cycle


def start_case_cycle(
    ctx: Context,
    case: Case,
    *,
    on: date,
    manager_id: str | None = None,
    joined_on: date | None = None,
    last_raise_on: date | None = None,
    last_promotion_on: date | None = None,
    at_scale_max: bool = False,
) -> GesCycle:
    """`start_cycle` for a resolved case (what `poflow cycle start` and the workspace call): a
    hire's start date and known manager fill in what is not given; InputRefused naming
    "joined" or "manager" when existing staff lacks one."""
    hire = ctx.session.get(Hire, case.case_id) if case.case_type == CaseType.HIRE else None
    joined = joined_on or (hire.start_date if hire else None)
    if joined is None:
        raise InputRefused(
            "joined", "the date they came into service is required for existing staff"
        )
    manager = manager_id or case.manager_id
    if manager is None:
        raise InputRefused("manager", "the leidinggevende is required for existing staff")
    return start_cycle(
        ctx,
        case_type=case.case_type,
        case_id=case.case_id,
        on=on,
        manager_id=manager,
        joined_on=joined,
        last_raise_on=last_raise_on,
        last_promotion_on=last_promotion_on,
        at_scale_max=at_scale_max,
    )


def update_cycle_facts(
    ctx: Context,
    case: Case,
    *,
    at_scale_max: bool | None = None,
    last_raise_on: date | None = None,
    last_promotion_on: date | None = None,
) -> list[str]:
    """Record the scale facts the raise rule needs (GES-4): the facts given replace those of
    the cycle, audited; the names of the fields changed. NotFound when the case has no cycle."""
    cycle = find_cycle(ctx.session, case.case_type, case.case_id)
    if cycle is None:
        raise NotFound(f"Cannot update the cycle of {case.case_id}: it has none")
    changed = []
    if at_scale_max is not None:
        cycle.at_scale_max = at_scale_max
        changed.append("at_scale_max")
    for name, value in (("last_raise_on", last_raise_on), ("last_promotion_on", last_promotion_on)):
        if value is not None:
            setattr(cycle, name, value)
            changed.append(name)
    ctx.audit("ges.cycle.updated", "ges_cycle", str(cycle.id), fields=",".join(changed))
    return changed
