"""What many tests share: simulated days, the mails of a day, the calendar part of a mail."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar

from poflow.runtime import run_day

__all__ = ["ics_of", "ics_text", "insert_old_outbox_row", "mails", "simulate"]


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


def ics_text(msg: EmailMessage) -> str | None:
    """The text of a mail's calendar part (the invitation or cancellation), or None."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_content())
    return None


def ics_of(msg: EmailMessage) -> icalendar.Calendar | None:
    """The calendar part of a mail, parsed, or None when it has none."""
    text = ics_text(msg)
    return icalendar.Calendar.from_ical(text) if text is not None else None


def insert_old_outbox_row(conn: Any, *, key: str, template: str = "t", state: str = "sent") -> None:
    """An outbox row as the columns of the first schema have it (for data-migration tests)."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    conn.execute(
        text(
            "INSERT INTO outbox (key, message_id, municipality, case_type, case_id, template, "
            "recipient_email, recipient_name, sender_name, sender_email, subject, body_text, "
            "body_html, state, attempts, created_at) VALUES (:k, :k, 'hardenberg', 'hire', "
            "'NH-1', :t, 'x@example.org', '', 'P&O', 'po@example.org', 's', 't', 'h', :s, 1, :at)"
        ),
        {"k": key, "t": template, "s": state, "at": datetime(2027, 1, 4, 8, tzinfo=UTC)},
    )
