"""Planning the cycle (GES-1): the first richtgesprek, each round's talks and their dated actions.

New hires are planned either from the start date after probation, or, where the introduction
programme runs, from its closing startontwikkelgesprek (the introduction process records it as
step "int:startontwikkelgesprek" of the hire, DONE when held). Existing staff start on a chosen
date (`start_cycle`). Every round: POP form request and reminder, invitations with .ics,
reminders, the appraisal form for the leidinggevende, and escalation to P&O.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from poflow._exceptions import IllegalTransition
from poflow.conversations import kinds
from poflow.conversations.case import PROCESS, find_cycle, section
from poflow.conversations.models import Appraisal, CycleBasis, GesCycle
from poflow.conversations.rules import (
    cycle_dates,
    pop_deadline,
    probation_months_for,
    richtgesprek_after_probation,
)
from poflow.conversations.states import CycleState
from poflow.db.base import utcnow
from poflow.db.models import Hire, Step
from poflow.engine import TZ, Context, local_datetime
from poflow.states import StepState

__all__ = [
    "INTRO_STEP",
    "plan_extra_talk",
    "plan_hire_cycle",
    "plan_round",
    "schedule_talk_actions",
    "start_after_introduction",
    "start_cycle",
]

INTRO_STEP = "int:startontwikkelgesprek"


def _talk_step(
    ctx: Context,
    *,
    case_type: str,
    case_id: str,
    key: str,
    title: str,
    day: date,
    manager_id: str,
    data: dict[str, object],
    done: bool = False,
) -> Step:
    """Create or move an appointment step (a move raises its calendar SEQUENCE)."""
    cfg = section(ctx)
    starts = local_datetime(day, cfg.time)
    ends = starts + timedelta(minutes=cfg.duration_minutes)
    step = ctx.step(case_type=case_type, case_id=case_id, key=key)
    if step is None:
        step = Step(
            municipality=ctx.municipality,
            case_type=case_type,
            case_id=case_id,
            process=PROCESS,
            key=key,
            title=title,
            due_date=day,
            starts_at=starts,
            ends_at=ends,
            owner_role="leidinggevende",
            owner_id=manager_id,
            sequence=0,
            data=data,
        )
        if done:
            step.state, step.done_by, step.done_at = StepState.DONE, "system", utcnow()
        ctx.session.add(step)
        ctx.session.flush()
        ctx.audit(
            "step.planned",
            "step",
            str(step.id),
            case=case_id,
            key=key,
            due=day.isoformat(),
            state=step.state.value,
        )
    elif step.state == StepState.OPEN and step.due_date != day:
        step.due_date, step.starts_at, step.ends_at = day, starts, ends
        step.sequence += 1
        ctx.audit(
            "step.moved",
            "step",
            str(step.id),
            case=case_id,
            due=day.isoformat(),
            sequence=step.sequence,
        )
    return step


def _schedule(ctx: Context, step: Step, kind: str, due: date, *, tag: str | None = None) -> None:
    ctx.schedule(
        case_type=step.case_type,
        case_id=step.case_id,
        kind=kind,
        step=step,
        key=f"{kind}:{step.id}:{tag or due.isoformat()}",
        due=max(due, ctx.day),
    )


def schedule_talk_actions(ctx: Context, step: Step) -> None:
    """Invitation and reminder of a talk, plus its follow-up: confirmation or appraisal form."""
    if step.state != StepState.OPEN:
        return
    cfg, cal, day = section(ctx), ctx.calendar, step.due_date
    _schedule(
        ctx,
        step,
        kinds.INVITE,
        cal.add_working_days(day, -cfg.invite_working_days_before),
        tag=f"s{step.sequence}",
    )
    _schedule(ctx, step, kinds.REMIND, cal.add_working_days(day, -cfg.reminder_working_days_before))
    if step.data.get("talk") == "richtgesprek":
        _schedule(ctx, step, kinds.RECORD, cal.add_working_days(day, 1))
    else:
        _schedule(ctx, step, kinds.FORM, cal.add_working_days(day, -cfg.form_working_days_before))
        _schedule(
            ctx,
            step,
            kinds.FORM_REMIND,
            cal.add_working_days(day, cfg.form_reminder_working_days_after),
        )
    _schedule(ctx, step, kinds.ESCALATE, cal.add_working_days(day, cfg.escalate_working_days_after))


def plan_round(ctx: Context, cycle: GesCycle, round_: int, *, richt_held: bool = False) -> None:
    """Create or move round `round_`: POP form, richtgesprek, beoordelingsgesprek (GES-1/2/3)."""
    cfg, cal = section(ctx), ctx.calendar
    dates = cycle_dates(
        cal,
        cycle.first_richtgesprek,
        round_,
        months_to_beoordeling=cfg.months_richt_to_beoordeling,
        months_between=cfg.months_between_cycles,
    )
    common = {
        "case_type": cycle.case_type,
        "case_id": cycle.case_id,
        "manager_id": cycle.manager_id,
    }
    richt = _talk_step(
        ctx,
        **common,
        key=f"ges:{round_}:richtgesprek",
        title=f"Richtgesprek (ronde {round_})",
        day=dates.richtgesprek,
        data={"cycle": cycle.id, "round": round_, "talk": "richtgesprek"},
        done=richt_held,
    )
    if richt.state == StepState.OPEN:
        deadline = pop_deadline(cal, dates.richtgesprek, cfg.pop_deadline_working_days_before)
        pop = ctx.step(case_type=cycle.case_type, case_id=cycle.case_id, key=f"ges:{round_}:pop")
        if pop is None:
            pop = Step(
                municipality=ctx.municipality,
                case_type=cycle.case_type,
                case_id=cycle.case_id,
                process=PROCESS,
                key=f"ges:{round_}:pop",
                title=f"POP-formulier inleveren (ronde {round_})",
                due_date=deadline,
                owner_role="medewerker",
                owner_id=cycle.case_id,
                data={"cycle": cycle.id, "round": round_, "talk_step": richt.id},
            )
            ctx.session.add(pop)
            ctx.session.flush()
            ctx.audit(
                "step.planned",
                "step",
                str(pop.id),
                case=cycle.case_id,
                key=pop.key,
                due=deadline.isoformat(),
            )
        elif pop.state == StepState.OPEN and pop.due_date != deadline:
            pop.due_date = deadline
            ctx.audit(
                "step.moved", "step", str(pop.id), case=cycle.case_id, due=deadline.isoformat()
            )
        if pop.state == StepState.OPEN:
            _schedule(
                ctx,
                pop,
                kinds.POP_REQUEST,
                cal.add_working_days(deadline, -cfg.pop_request_working_days_before_deadline),
            )
            _schedule(
                ctx,
                pop,
                kinds.POP_REMIND,
                cal.add_working_days(deadline, -cfg.pop_reminder_working_days_before_deadline),
            )
        schedule_talk_actions(ctx, richt)
    beoordeling = _talk_step(
        ctx,
        **common,
        key=f"ges:{round_}:beoordelingsgesprek",
        title=f"Beoordelingsgesprek (ronde {round_})",
        day=dates.beoordelingsgesprek,
        data={"cycle": cycle.id, "round": round_, "talk": "beoordelingsgesprek"},
    )
    schedule_talk_actions(ctx, beoordeling)


def plan_extra_talk(
    ctx: Context,
    *,
    case_type: str,
    case_id: str,
    manager_id: str,
    decision_id: int,
    day: date,
    label: str,
) -> Step:
    """The extra beoordelingsgesprek of a legal-status decision (GES-5), with its actions."""
    step = _talk_step(
        ctx,
        case_type=case_type,
        case_id=case_id,
        key=f"ges:x{decision_id}:beoordelingsgesprek",
        title=f"Extra beoordelingsgesprek: {label}",
        day=day,
        manager_id=manager_id,
        data={"talk": "beoordelingsgesprek", "extra": decision_id},
    )
    schedule_talk_actions(ctx, step)
    return step


def _new_cycle(
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


def plan_hire_cycle(ctx: Context, hire: Hire) -> None:
    """Plan a new hire's cycle from probation, or watch for the end of the introduction (GES-1)."""
    cfg = section(ctx)
    cycle = find_cycle(ctx.session, "hire", hire.id)
    _revive_after_move(ctx, hire)
    if cycle is not None and cycle.basis != CycleBasis.PROEFTIJD:
        plan_round(ctx, cycle, cycle.current_round)  # dates stay; superseded actions come back
        return
    probation = probation_months_for(
        hire.contract_type, hire.contract_months, cfg.probation_months, cfg.min_contract_months
    )
    if probation is None:
        return
    if cycle is None and cfg.plan_from == "introductie":
        programme_end = ctx.calendar.months_after(hire.first_working_day, cfg.introduction_months)
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=kinds.INTRO,
            due=programme_end,
            key=f"{kinds.INTRO}:{hire.id}:{programme_end.isoformat()}",
        )
        return
    first = richtgesprek_after_probation(
        ctx.calendar,
        hire.first_working_day,
        probation,
        cfg.richtgesprek_working_days_after_probation,
    )
    if cycle is None:
        cycle = _new_cycle(
            ctx,
            case_type="hire",
            case_id=hire.id,
            manager_id=hire.manager_id,
            basis=CycleBasis.PROEFTIJD,
            first=first,
            joined_on=hire.start_date,
            raise_anchor=hire.start_date,
        )
    elif cycle.current_round == 1 and cycle.first_richtgesprek != first:
        cycle.first_richtgesprek = first
        cycle.joined_on = cycle.raise_anchor = hire.start_date
        ctx.audit("ges.cycle.moved", "ges_cycle", str(cycle.id), first=first.isoformat())
    plan_round(ctx, cycle, cycle.current_round)


def _revive_after_move(ctx: Context, hire: Hire) -> None:
    """A start move cancels every pending action of the hire (ONB-5): bring back the follow-ups
    of recorded appraisals and the actions of planned extra appraisals, which do not move."""
    for row in ctx.session.scalars(
        select(Appraisal).where(Appraisal.case_type == "hire", Appraisal.case_id == hire.id)
    ):
        step = ctx.session.get(Step, row.step_id)
        for kind in (kinds.SHARE, kinds.DECISION, kinds.ARCHIVE):
            ctx.schedule(
                case_type="hire",
                case_id=hire.id,
                kind=kind,
                step=step,
                key=f"{kind}:{row.id}",
                due=max(ctx.day, row.talk_on),
            )
    for step in ctx.session.scalars(
        select(Step).where(
            Step.case_type == "hire",
            Step.case_id == hire.id,
            Step.process == PROCESS,
            Step.key.like("ges:x%"),
            Step.state == StepState.OPEN,
        )
    ):
        schedule_talk_actions(ctx, step)


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
    held = _held_on(intro)
    as_richt = cfg.startontwikkelgesprek_is_richtgesprek
    first = (
        held
        if as_richt
        else ctx.calendar.add_working_days(held, cfg.richtgesprek_working_days_after_probation)
    )
    cycle = _new_cycle(
        ctx,
        case_type="hire",
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
    if "leidinggevende" not in manager.role_names or manager.municipality != ctx.municipality:
        raise IllegalTransition(
            f"Cannot start a conversation cycle for {case_type} {case_id} with manager "
            f"{manager_id}: that person is not a leidinggevende of {ctx.municipality}."
        )
    cycle = _new_cycle(
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
