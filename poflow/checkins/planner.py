"""Planning a hire's check-ins (CHK-1): a step per talk and its four dated actions, moved (with a
raised calendar SEQUENCE) when the start date moves."""

from __future__ import annotations

from datetime import timedelta

from poflow.checkins.config import CheckinSection
from poflow.checkins.rules import INVITE, FollowUps, checkin_dates, follow_ups
from poflow.db.models import Hire, Step
from poflow.engine import Context, local_datetime
from poflow.kernel.vocabulary import CaseType, Role
from poflow.states import StepState

__all__ = ["plan_checkins"]


def plan_checkins(ctx: Context, hire: Hire) -> None:
    """Create or move the hire's check-in steps and their four actions (CHK-1)."""
    cfg = ctx.config.section("checkins", CheckinSection)
    cal = ctx.calendar
    days = FollowUps(
        remind_before=cfg.reminder_working_days_before,
        record_after=cfg.record_reminder_working_days_after,
        escalate_after=cfg.escalate_working_days_after,
    )
    for month, day in zip(
        cfg.months_after_start,
        checkin_dates(cal, hire.first_working_day, cfg.months_after_start),
        strict=True,
    ):
        key = f"checkin:{month}"
        starts = local_datetime(day, cfg.time)
        step = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=key)
        if step is None:
            step = Step(
                municipality=hire.municipality,
                case_type=CaseType.HIRE,
                case_id=hire.id,
                process="chk",
                key=key,
                title=f"Bij praat moment na {month} maand(en)",
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
            ctx.audit(
                "step.planned", "step", str(step.id), hire=hire.id, key=key, due=day.isoformat()
            )
        elif step.state != StepState.OPEN:
            continue
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
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=INVITE,
            step=step,
            key=f"{INVITE}:{base}:s{step.sequence}",
            due=ctx.day,
        )
        for kind, due in follow_ups(cal, day, days).items():
            ctx.schedule(
                case_type=CaseType.HIRE,
                case_id=hire.id,
                kind=kind,
                step=step,
                key=f"{kind}:{base}:{day.isoformat()}",
                due=due,
            )
