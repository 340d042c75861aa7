"""The hire's own line (INT-1, INT-2, INT-4, INT-5): enrolment, e-learning, TMA, the closing talk.

Primary hires are enrolled by the planner; secondary hires only when P&O or their leidinggevende
enrols them (the leidinggevende is offered a link); excluded hires never. Per enrolled hire the
planner keeps steps for the e-learning (due at six months, reminded), the TMA debrief with the
loopbaancoach and the startontwikkelgesprek that closes the programme and starts GES.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from poflow._exceptions import EnrolmentRefused, NotFound
from poflow.db.models import Hire, Step
from poflow.engine import Context, local_datetime, step_close
from poflow.introduction.common import end_of_programme, enrolment_of, first_with_role, section
from poflow.introduction.config import ItemConfig
from poflow.introduction.models import Enrolment, EnrolmentState
from poflow.introduction.portfolio import issue_certificate
from poflow.introduction.rules import TargetGroup, classify, reminder_dates
from poflow.states import HireState, StepState

__all__ = ["TALK_KEY", "add_role_item", "complete_step", "enrol", "plan_line", "target_group"]

WELCOME, OFFER, ROLE_ITEM = "int.welcome", "int.offer", "int.role_item"
ELEARN_REMIND, TALK_INVITE, TALK_REMIND = (
    "int.elearning_remind",
    "int.talk_invite",
    "int.talk_remind",
)
TALK_KEY = "int:startontwikkelgesprek"


def target_group(ctx: Context, hire: Hire) -> TargetGroup:
    """INT-1: the hire's target group under this municipality's table."""
    cfg = section(ctx.config)
    return classify(hire.contract_type, hire.contract_months, cfg.rules(), cfg.default_group)


def _enrol(ctx: Context, hire: Hire, group: TargetGroup, variant: str, by: str) -> Enrolment:
    e = Enrolment(
        municipality=hire.municipality,
        hire_id=hire.id,
        group=group,
        variant=variant,
        mandatory=group == TargetGroup.PRIMARY,
        enrolled_by=by,
    )
    ctx.session.add(e)
    ctx.session.flush()
    ctx.audit("intro.enrolled", "hire", hire.id, group=group.value, variant=variant, by=by)
    return e


def plan_introduction(ctx: Context, hire: Hire) -> None:
    """Enrol a primary hire, offer a secondary one to the leidinggevende, plan the own line."""
    cfg = section(ctx.config)
    if not cfg.enabled:
        return
    enrolment = enrolment_of(ctx, hire.id)
    if enrolment is None:
        group = target_group(ctx, hire)
        if group == TargetGroup.PRIMARY:
            enrolment = _enrol(ctx, hire, group, cfg.primary_variant, "system")
        elif group == TargetGroup.SECONDARY:
            ctx.schedule(
                case_type="hire", case_id=hire.id, kind=OFFER, key=f"{OFFER}:{hire.id}", due=ctx.day
            )
            return
        else:
            ctx.audit("intro.excluded", "hire", hire.id, group=group.value)
            return
    if enrolment.state == EnrolmentState.ACTIVE:
        plan_line(ctx, hire, enrolment)


def enrol(ctx: Context, hire_id: str, *, by: str, variant: str | None = None) -> Enrolment:
    """INT-1/INT-6: enrol a secondary-group hire on request of P&O or their leidinggevende."""
    hire = ctx.session.get(Hire, hire_id)
    if hire is None:
        raise NotFound(f"Hire {hire_id} does not exist")
    cfg = section(ctx.config)
    prefix = f"Cannot enrol hire {hire_id} in the introduction programme"
    if not cfg.enabled:
        raise EnrolmentRefused(f"{prefix}: {ctx.config.name} has it switched off.")
    if hire.state != HireState.PLANNED:
        raise EnrolmentRefused(f"{prefix}: the hire is {hire.state.value}.")
    group = target_group(ctx, hire)
    if group == TargetGroup.EXCLUDED:
        raise EnrolmentRefused(
            f"{prefix}: contract type {hire.contract_type!r} is excluded "
            "(college B&W and gemeenteraad)."
        )
    roles = ctx.person(by).role_names if by != "system" else set()
    if by != hire.manager_id and not roles & set(cfg.enrol_roles):
        raise EnrolmentRefused(
            f"{prefix}: person {by} is neither its leidinggevende nor holds "
            f"a role of {', '.join(cfg.enrol_roles)}."
        )
    existing = enrolment_of(ctx, hire.id)
    if existing is not None:
        return existing
    chosen = variant or (
        cfg.primary_variant if group == TargetGroup.PRIMARY else cfg.secondary_variant
    )
    if chosen not in cfg.variants:
        raise EnrolmentRefused(f"{prefix}: there is no variant {chosen!r}.")
    enrolment = _enrol(ctx, hire, group, chosen, by)
    plan_line(ctx, hire, enrolment)
    return enrolment


def _step(
    ctx: Context,
    hire: Hire,
    *,
    key: str,
    title: str,
    due: date,
    owner_role: str,
    owner_id: str | None,
    talk: bool = False,
) -> Step:
    cfg = section(ctx.config)
    starts = local_datetime(due, cfg.talk_time) if talk else None
    ends = starts + timedelta(minutes=cfg.talk_duration_minutes) if starts else None
    step = ctx.step(case_type="hire", case_id=hire.id, key=key)
    if step is None:
        step = Step(
            municipality=hire.municipality,
            case_type="hire",
            case_id=hire.id,
            process="int",
            key=key,
            title=title,
            due_date=due,
            starts_at=starts,
            ends_at=ends,
            owner_role=owner_role,
            owner_id=owner_id,
            sequence=0,
            data={},
        )
        ctx.session.add(step)
        ctx.session.flush()
        ctx.audit("step.planned", "step", str(step.id), hire=hire.id, key=key, due=due.isoformat())
    elif step.state == StepState.OPEN and step.due_date != due:
        step.due_date, step.starts_at, step.ends_at = due, starts, ends
        step.sequence += 1
        ctx.audit(
            "step.moved",
            "step",
            str(step.id),
            hire=hire.id,
            due=due.isoformat(),
            sequence=step.sequence,
        )
    return step


def plan_line(ctx: Context, hire: Hire, enrolment: Enrolment) -> None:
    """Create or move the hire's own steps and their dated actions (INT-4, INT-5)."""
    cfg = section(ctx.config)
    cal = ctx.calendar
    end = end_of_programme(ctx, hire)
    ctx.schedule(
        case_type="hire",
        case_id=hire.id,
        kind=WELCOME,
        key=f"{WELCOME}:{hire.id}:{hire.first_working_day}",
        due=max(hire.first_working_day, ctx.day),
    )
    for item in cfg.variant_items(enrolment.variant):
        if item.kind == "elearning":
            step = _step(
                ctx,
                hire,
                key=f"int:elearning:{item.key}",
                title=item.title,
                due=end,
                owner_role="medewerker",
                owner_id=hire.id,
            )
            for day in reminder_dates(cal, end, cfg.elearning_reminder_working_days_before):
                if day >= ctx.day:  # a late enrolment skips reminders already past
                    ctx.schedule(
                        case_type="hire",
                        case_id=hire.id,
                        kind=ELEARN_REMIND,
                        step=step,
                        key=f"{ELEARN_REMIND}:{step.id}:{day}",
                        due=day,
                    )
        elif item.kind in ("tma", "startontwikkelgesprek"):
            _plan_talk(ctx, hire, item, end)


def _plan_talk(ctx: Context, hire: Hire, item: ItemConfig, end: date) -> None:
    cfg = section(ctx.config)
    if item.kind == "tma":
        coach = first_with_role(ctx, cfg.coach_role)
        due = ctx.calendar.months_after(hire.first_working_day, item.months_after_start or 4)
        step = _step(
            ctx,
            hire,
            key="int:tma",
            title=item.title,
            due=due,
            talk=True,
            owner_role=cfg.coach_role,
            owner_id=coach.id if coach else None,
        )
    else:
        step = _step(
            ctx,
            hire,
            key=TALK_KEY,
            title=item.title,
            due=end,
            talk=True,
            owner_role="leidinggevende",
            owner_id=hire.manager_id,
        )
    invite = ctx.calendar.add_working_days(step.due_date, -cfg.talk_invite_working_days_before)
    ctx.schedule(
        case_type="hire",
        case_id=hire.id,
        kind=TALK_INVITE,
        step=step,
        key=f"{TALK_INVITE}:{step.id}:s{step.sequence}",
        due=max(invite, ctx.day),
    )
    ctx.schedule(
        case_type="hire",
        case_id=hire.id,
        kind=TALK_REMIND,
        step=step,
        key=f"{TALK_REMIND}:{step.id}:{step.due_date}",
        due=ctx.calendar.add_working_days(step.due_date, -cfg.talk_reminder_working_days_before),
    )


def add_role_item(ctx: Context, hire_id: str, *, title: str, due: date, by: str) -> Step:
    """INT-5: a role-specific item agreed in the arbeidsvoorwaardengesprek joins the own line."""
    hire = ctx.session.get(Hire, hire_id)
    if hire is None or enrolment_of(ctx, hire_id) is None:
        raise NotFound(f"Hire {hire_id} is not enrolled in the introduction programme")
    count = (
        ctx.session.scalar(
            select(func.count(Step.id)).where(
                Step.case_type == "hire", Step.case_id == hire_id, Step.key.like("int:rol:%")
            )
        )
        or 0
    )
    step = _step(
        ctx,
        hire,
        key=f"int:rol:{count + 1}",
        title=title,
        due=due,
        owner_role="medewerker",
        owner_id=hire.id,
    )
    ctx.audit("int.role_item", "step", str(step.id), hire=hire_id, by=by)
    ctx.schedule(
        case_type="hire",
        case_id=hire.id,
        kind=ROLE_ITEM,
        step=step,
        key=f"{ROLE_ITEM}:{step.id}",
        due=ctx.day,
    )
    return step


def complete_step(
    ctx: Context, step: Step, *, by: str, source: str, on: date | None = None
) -> bool:
    """Close an item of the own line; e-learning gives a certificate, the closing talk ends INT."""
    if step.state != StepState.OPEN or step.process != "int":
        return False
    step_close(step, StepState.DONE, by=by)
    ctx.audit("step.done", "step", str(step.id), hire=step.case_id, key=step.key, source=source)
    hire = ctx.session.get(Hire, step.case_id)
    assert hire is not None
    if step.key.startswith("int:elearning:"):
        key = step.key.rsplit(":", 1)[1]
        issue_certificate(
            ctx, hire, item=key, title=step.title, completed_on=on or ctx.day, source=source
        )
    if step.key == TALK_KEY:
        enrolment = enrolment_of(ctx, hire.id)
        if enrolment is not None and enrolment.state == EnrolmentState.ACTIVE:
            enrolment.state = EnrolmentState.COMPLETED
            enrolment.completed_at = step.done_at
            ctx.audit("intro.completed", "hire", hire.id, step=step.id, by=by)
    return True
