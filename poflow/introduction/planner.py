"""The hire's programme planner (INT-1, INT-2, INT-4, INT-5): enrolment and the hire's own line.

Primary hires are enrolled by the planner; secondary hires only when P&O or their leidinggevende
enrols them (the leidinggevende is offered a link); excluded hires never. Per enrolled hire the
planner keeps steps for the e-learning (due at six months, reminded), the TMA debrief with the
loopbaancoach and the startontwikkelgesprek that closes the programme and starts GES (the steps
themselves, and completing them: steps.py).
"""

from __future__ import annotations

from datetime import date

from poflow._exceptions import EnrolmentRefused, NotFound
from poflow.db.models import Hire
from poflow.engine import SYSTEM_ACTOR, Context, invited_recipients
from poflow.introduction.config import ItemConfig, section
from poflow.introduction.deadline import schedule_deadline
from poflow.introduction.kinds import (
    ELEARN_REMIND,
    OFFER,
    TALK_INVITE,
    TALK_KEY,
    TALK_REMIND,
    TMA_KEY,
    WELCOME,
    elearning_key,
)
from poflow.introduction.models import Enrolment, enrolment_of
from poflow.introduction.rules import (
    TargetGroup,
    classify,
    may_enrol,
    programme_end,
    reminder_dates,
    talk_dates,
    variant_for,
)
from poflow.introduction.states import EnrolmentState
from poflow.introduction.steps import line_step
from poflow.kernel.vocabulary import CaseType, Role
from poflow.states import HireState

__all__ = [
    "end_of_programme",
    "enrol",
    "plan_introduction",
    "plan_line",
    "target_group",
]


def end_of_programme(ctx: Context, hire: Hire) -> date:
    """INT-2: the hire's last programme day (programme_months after the first working day)."""
    return programme_end(ctx.calendar, hire.first_working_day, section(ctx.config).programme_months)


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
    enrolment = enrolment_of(ctx.session, hire.id)
    if enrolment is None:
        group = target_group(ctx, hire)
        if group == TargetGroup.PRIMARY:
            enrolment = _enrol(ctx, hire, group, cfg.primary_variant, SYSTEM_ACTOR)
        elif group == TargetGroup.SECONDARY:
            ctx.schedule(
                case_type=CaseType.HIRE,
                case_id=hire.id,
                kind=OFFER,
                key=f"{OFFER}:{hire.id}",
                due=ctx.day,
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
    roles = ctx.person(by).role_names if by != SYSTEM_ACTOR else set()
    if not may_enrol(by, roles, manager_id=hire.manager_id, enrol_roles=cfg.enrol_roles):
        raise EnrolmentRefused(
            f"{prefix}: person {by} is neither its leidinggevende nor holds "
            f"a role of {', '.join(cfg.enrol_roles)}."
        )
    existing = enrolment_of(ctx.session, hire.id)
    if existing is not None:
        return existing
    chosen = variant_for(
        group, variant, primary=cfg.primary_variant, secondary=cfg.secondary_variant
    )
    if chosen not in cfg.variants:
        raise EnrolmentRefused(f"{prefix}: there is no variant {chosen!r}.")
    enrolment = _enrol(ctx, hire, group, chosen, by)
    plan_line(ctx, hire, enrolment)
    return enrolment


def plan_line(ctx: Context, hire: Hire, enrolment: Enrolment) -> None:
    """Create or move the hire's own steps and their dated actions (INT-4, INT-5)."""
    cfg = section(ctx.config)
    end = end_of_programme(ctx, hire)
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=WELCOME,
        key=f"{WELCOME}:{hire.id}:{hire.first_working_day}",
        due=max(hire.first_working_day, ctx.day),
    )
    items = cfg.variant_items(enrolment.variant)
    if any(item.kind == "elearning" for item in items):
        schedule_deadline(ctx, hire, end)
    for item in items:
        if item.kind == "elearning":
            step = line_step(
                ctx,
                hire,
                key=elearning_key(item.key),
                title=item.title,
                due=end,
                owner_role=Role.MEDEWERKER,
                owner_id=hire.id,
            )
            before = cfg.elearning_reminder_working_days_before
            for day in reminder_dates(ctx.calendar, end, before, from_day=ctx.day):
                ctx.schedule(
                    case_type=CaseType.HIRE,
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
        coaches = ctx.people_with_role(cfg.coach_role)
        due = ctx.calendar.months_after(hire.first_working_day, item.months_after_start or 4)
        step = line_step(
            ctx,
            hire,
            key=TMA_KEY,
            title=item.title,
            due=due,
            talk=True,
            minutes=item.duration_minutes,
            owner_role=cfg.coach_role,
            owner_id=coaches[0].id if coaches else None,
        )
    else:
        step = line_step(
            ctx,
            hire,
            key=TALK_KEY,
            title=item.title,
            due=end,
            talk=True,
            owner_role=Role.LEIDINGGEVENDE,
            owner_id=hire.manager_id,
        )
    invite, remind = talk_dates(
        ctx.calendar,
        step.due_date,
        invite_before=cfg.talk_invite_working_days_before,
        remind_before=cfg.talk_reminder_working_days_before,
        today=ctx.day,
    )
    # After a move (a raised SEQUENCE) whoever already has the talk in the calendar gets the
    # update at once, not when the new invitation date comes (ONB-5).
    if step.sequence > 0 and invited_recipients(ctx.session, step):
        invite = ctx.day
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=TALK_INVITE,
        step=step,
        key=f"{TALK_INVITE}:{step.id}:s{step.sequence}",
        due=invite,
    )
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=TALK_REMIND,
        step=step,
        key=f"{TALK_REMIND}:{step.id}:{step.due_date}",
        due=remind,
    )
