"""Planning a hire's check-ins (CHK-1): a step per talk within the contract and its dated
actions, moved (with a raised calendar SEQUENCE) when the start date moves."""

from __future__ import annotations

from datetime import date, timedelta

from poflow.checkins.config import CheckinSection
from poflow.checkins.rules import (
    INVITE,
    INVITE_HIRE,
    FollowUps,
    checkin_dates,
    follow_ups,
    hire_invitation_date,
    within_contract,
)
from poflow.db.models import Hire, Step
from poflow.engine import (
    Context,
    invited_addresses,
    invited_recipients,
    local_datetime,
    step_close,
)
from poflow.hires.services import CALENDAR_CANCEL
from poflow.kernel.vocabulary import CaseType, Role
from poflow.kernel.wording import months_phrase
from poflow.states import StepState

__all__ = ["plan_checkins", "talk_title"]


def talk_title(month: int) -> str:
    """The name of the talk after `month` months: "Bijpraatmoment na drie maanden"."""
    return f"Bijpraatmoment na {months_phrase(month)}"


def plan_checkins(ctx: Context, hire: Hire) -> None:
    """Create or move the hire's check-in steps and their actions (CHK-1); a talk after the end
    of the contract is not planned (withdrawn when it was) unless checkins.yaml says so."""
    cfg = ctx.config.section("checkins", CheckinSection)
    for month, day in zip(
        cfg.months_after_start,
        checkin_dates(ctx.calendar, hire.first_working_day, cfg.months_after_start),
        strict=True,
    ):
        step = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=f"checkin:{month}")
        if cfg.plan_past_contract_end or within_contract(
            hire.start_date, hire.contract_months, day
        ):
            _plan_talk(ctx, hire, cfg, month, day, step)
        elif step is not None and step.state == StepState.OPEN:
            _withdraw(ctx, hire, step)


def _plan_talk(
    ctx: Context, hire: Hire, cfg: CheckinSection, month: int, day: date, step: Step | None
) -> None:
    key = f"checkin:{month}"
    starts = local_datetime(day, cfg.time)
    if step is None:
        step = Step(
            municipality=hire.municipality,
            case_type=CaseType.HIRE,
            case_id=hire.id,
            process="chk",
            key=key,
            title=talk_title(month),
            due_date=day,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=cfg.duration_minutes),
            owner_role=Role.LEIDINGGEVENDE,
            owner_id=hire.manager_id,
            sequence=0,
            data={"month": month},
        )
        ctx.session.add(step)
        ctx.session.flush()
        ctx.audit("step.planned", "step", str(step.id), hire=hire.id, key=key, due=day.isoformat())
    elif step.state != StepState.OPEN:
        return
    elif step.due_date != day:
        step.due_date = day
        step.starts_at = starts
        step.ends_at = starts + timedelta(minutes=cfg.duration_minutes)
        step.sequence += 1
        ctx.audit(
            "step.moved",
            "step",
            str(step.id),
            hire=hire.id,
            due=day.isoformat(),
            sequence=step.sequence,
        )
    base = f"{hire.id}:{month}"
    # The leidinggevende at once (an update after a move too); the new employee at the work
    # address from the first working day on (CHK-2), or at once when the talk is already in
    # her calendar there and moved (ONB-5).
    hire_on = hire_invitation_date(hire.first_working_day, ctx.day)
    if step.sequence > 0 and ctx.hire_invitee(hire).email.lower() in invited_addresses(
        ctx.session, step
    ):
        hire_on = ctx.day
    for kind, due in ((INVITE, ctx.day), (INVITE_HIRE, hire_on)):
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=kind,
            step=step,
            key=f"{kind}:{base}:s{step.sequence}",
            due=due,
        )
    days = FollowUps(
        remind_before=cfg.reminder_working_days_before,
        record_after=cfg.record_reminder_working_days_after,
        escalate_after=cfg.escalate_working_days_after,
    )
    for kind, due in follow_ups(ctx.calendar, day, days).items():
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=kind,
            step=step,
            key=f"{kind}:{base}:{day.isoformat()}",
            due=due,
        )


def _withdraw(ctx: Context, hire: Hire, step: Step) -> None:
    """A talk no longer within the contract: close it, and cancel it in calendars it reached."""
    step_close(step, StepState.CANCELLED, by=ctx.actor)
    ctx.audit("step.cancelled", "step", str(step.id), hire=hire.id, reason="contract_end")
    if invited_recipients(ctx.session, step):
        step.sequence += 1
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=CALENDAR_CANCEL,
            step=step,
            key=f"{CALENDAR_CANCEL}:{step.id}",
            due=ctx.day,
        )
