"""The talks of the cycle as steps with dated actions (GES-1/2/3): one round's POP form,
richtgesprek and beoordelingsgesprek, the extra beoordelingsgesprek of a legal-status decision
(GES-5), and each talk's invitation, reminder, follow-up and escalation."""

from __future__ import annotations

from datetime import date, timedelta

from poflow.conversations import kinds
from poflow.conversations.case import PROCESS, section
from poflow.conversations.models import GesCycle
from poflow.conversations.rules import cycle_dates, pop_deadline
from poflow.db.base import utcnow
from poflow.db.models import Step
from poflow.engine import Context, local_datetime
from poflow.kernel.vocabulary import Role
from poflow.states import StepState

__all__ = ["plan_extra_talk", "plan_round", "schedule_talk_actions"]


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
            owner_role=Role.LEIDINGGEVENDE,
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
    """Schedule `kind` for `step` on `due` (today at the earliest), once per tag or due date."""
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


def _pop_step(ctx: Context, cycle: GesCycle, round_: int, richt: Step, deadline: date) -> Step:
    """Create or move the POP form step of a round, due `deadline` (GES-2)."""
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
            owner_role=Role.MEDEWERKER,
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
        ctx.audit("step.moved", "step", str(pop.id), case=cycle.case_id, due=deadline.isoformat())
    return pop


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
    richt = _talk_step(
        ctx,
        case_type=cycle.case_type,
        case_id=cycle.case_id,
        manager_id=cycle.manager_id,
        key=f"ges:{round_}:richtgesprek",
        title=f"Richtgesprek (ronde {round_})",
        day=dates.richtgesprek,
        data={"cycle": cycle.id, "round": round_, "talk": "richtgesprek"},
        done=richt_held,
    )
    if richt.state == StepState.OPEN:
        deadline = pop_deadline(
            cal, dates.richtgesprek, cfg.pop_deadline_days_before, cfg.pop_deadline_counted_in
        )
        pop = _pop_step(ctx, cycle, round_, richt, deadline)
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
        case_type=cycle.case_type,
        case_id=cycle.case_id,
        manager_id=cycle.manager_id,
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
