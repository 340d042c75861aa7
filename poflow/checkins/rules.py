"""The check-ins' rules (CHK-1..3), pure: when each talk is, and when its reminder, the request
to record it and the escalation to P&O fall due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from poflow.kernel.calendar import WorkCalendar

__all__ = [
    "ESCALATE",
    "INVITE",
    "RECORD",
    "REMIND",
    "FollowUps",
    "checkin_dates",
    "follow_ups",
]

# The action kinds of a talk: the invitation, the reminder before, the request to record it
# after, and the escalation to P&O when it is still not recorded.
INVITE, REMIND, RECORD, ESCALATE = "chk.invite", "chk.remind", "chk.record", "chk.escalate"


def checkin_dates(calendar: WorkCalendar, first_working_day: date, months: list[int]) -> list[date]:
    """The working day of each check-in: N calendar months after the first working day (CHK-1)."""
    return [calendar.months_after(first_working_day, m) for m in months]


@dataclass(frozen=True)
class FollowUps:
    """How many working days before or after a talk its follow-ups fall due (checkins.yaml)."""

    remind_before: int
    record_after: int
    escalate_after: int


def follow_ups(calendar: WorkCalendar, talk: date, days: FollowUps) -> dict[str, date]:
    """The due date of each follow-up of a talk on `talk`, by action kind: the reminder before
    it (CHK-2), the request to record it and the escalation to P&O after it (CHK-3)."""
    return {
        REMIND: calendar.add_working_days(talk, -days.remind_before),
        RECORD: calendar.add_working_days(talk, days.record_after),
        ESCALATE: calendar.add_working_days(talk, days.escalate_after),
    }
