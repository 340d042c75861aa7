"""What many tests share: simulated days, the mails of a day, the calendar part of a mail, a
command line logged in as a person, a talk moved to a day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar

from poflow.runtime import run_day

__all__ = [
    "CLI_PASSWORD",
    "cli_login",
    "ics_of",
    "ics_text",
    "insert_old_outbox_row",
    "mails",
    "move_talk",
    "simulate",
]

CLI_PASSWORD = "een-lang-testwachtwoord"  # the local password cli_login gives a person


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


def cli_login(rt: Any, person_id: str) -> None:
    """Give `person_id` a local login (`add_login`, CLI_PASSWORD) when they have none, then log
    the command line in as them through `poflow login --password-stdin`, in this test's
    environment (the fixtures point XDG_STATE_HOME at a temporary folder)."""
    from typer.testing import CliRunner

    from poflow.auth.accounts import HASHER, add_login, login_of, reset_login
    from poflow.cli import app

    with rt.factory() as session, session.begin():
        login = login_of(session, person_id)
        if login is None:
            add_login(session, person_id, CLI_PASSWORD, totp=False, actor="test")
        elif login.totp_secret or not _is_password(HASHER, login.password_hash, CLI_PASSWORD):
            reset_login(session, person_id, CLI_PASSWORD, totp=False, actor="test")
    result = CliRunner().invoke(
        app, ["login", person_id, "--password-stdin"], input=CLI_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output


def _is_password(hasher: Any, password_hash: str | None, password: str) -> bool:
    try:
        return bool(password_hash) and hasher.verify(password_hash, password)
    except Exception:  # noqa: BLE001  (any mismatch or a hash of another kind: not this password)
        return False


def move_talk(rt: Any, hire_id: str, month: int, day: date) -> None:
    """Put a hire's planned check-in on `day` (e.g. today, to record it now, or tomorrow)."""
    from sqlalchemy import select

    from poflow.db.models import Step

    with rt.factory() as session, session.begin():
        step = session.scalars(
            select(Step).where(Step.case_id == hire_id, Step.key == f"checkin:{month}")
        ).one()
        step.due_date = day
