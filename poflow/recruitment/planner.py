"""The planner of recruitment (REC-12): a hire someone referred gets the referral-bonus notice
to the salary administration, dated once the new colleague is in service."""

from __future__ import annotations

from sqlalchemy import select

from poflow.db.models import Hire
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.recruitment.mails import section
from poflow.recruitment.models import Candidate
from poflow.recruitment.rules import referral_notice_day

__all__ = ["REFERRAL", "plan_referral_bonus"]

REFERRAL = "rec.referral_bonus"  # the action kind of the notice


def plan_referral_bonus(ctx: Context, hire: Hire) -> None:
    """A hire someone referred: tell the salary administration once in service (REC-12)."""
    cand = ctx.session.scalar(select(Candidate).where(Candidate.hire_id == hire.id))
    if cand is None or cand.referred_by_id is None:
        return
    due = referral_notice_day(
        hire.first_working_day, section(ctx).referral_waiting_days, ctx.calendar
    )
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=REFERRAL,
        key=f"{REFERRAL}:{hire.id}:{due.isoformat()}",
        due=due,
    )
