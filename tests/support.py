"""What many tests share: simulated days, the mails of a day, the calendar part of a mail."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar

from poflow.runtime import run_day

__all__ = ["ics_of", "mails", "simulate"]


def simulate(rt: Any, smtp: Any, first: date, last: date) -> dict[date, list]:
    """Run every day from first to last; return the messages received per day."""
    per_day: dict[date, list[EmailMessage]] = defaultdict(list)
    day = first
    while day <= last:
        before = len(smtp.messages)
        run_day(rt, day)
        per_day[day].extend(smtp.messages[before:])
        day += timedelta(days=1)
    return per_day


def mails(per_day: dict[date, list], *, to: str, subject: str) -> list[date]:
    """The days on which a mail with `subject` in its subject reached `to`."""
    return [
        d
        for d, msgs in sorted(per_day.items())
        for m in msgs
        if to in str(m["To"]) and subject in str(m["Subject"])
    ]


def ics_of(msg: EmailMessage) -> icalendar.Calendar:
    """The invitation (or cancellation) a mail carries, parsed."""
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_content())
