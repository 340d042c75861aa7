"""`poflow mail failed` and `poflow mail retry ID` end to end (X-2, X-4): parked mail is listed
with its reason, and queued again after a fix, audited; anything but parked mail is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from poflow._exceptions import IllegalTransition, InputRefused, NotFound
from poflow.cli import app
from poflow.db.models import AuditEntry
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.states import MailState
from tests.mail.poison import outbox, queue
from tests.mail.relays import Relay

runner = CliRunner()


def _park(rt: Any) -> tuple[int, int]:
    """One message parked (its recipient refused for good) and one sent: their ids."""
    bad = queue(rt, "gone", "gone@example.org", case_id="NH-3")
    good = queue(rt, "fine", "fine@example.org")
    with Relay() as relay:
        relay.refuse_rcpt["gone@"] = "550 5.1.1 unknown mailbox"
        send_queued(rt.factory, SmtpTarget("127.0.0.1", relay.port))
    return bad, good


def test_x_2_mail_failed_lists_parked_mail_and_retry_sends_it_after_a_fix(runtime: Any):
    """`mail failed` shows the parked message by id, case, template, attempts and reason;
    `mail retry ID --to` queues it again with the corrected address (audited, X-4), and the
    next pass delivers it."""
    bad, _good = _park(runtime)
    listed = runner.invoke(app, ["mail", "failed", "--municipality", "hardenberg"])
    assert listed.exit_code == 0, listed.output
    assert (
        f"{bad}  hardenberg  hire NH-3  onboarding/welkom_prive  1 attempt(s)  "
        "refused: SMTPRecipientsRefused: recipient refused (550)"
    ) in listed.output
    assert "gone@" not in listed.output
    retried = runner.invoke(app, ["mail", "retry", str(bad), "--to", "Anne@Example.org"])
    assert retried.exit_code == 0, retried.output
    assert f"Mail {bad} is queued again" in retried.output
    row = outbox(runtime, bad)
    assert (row.state, row.recipient_email) == (MailState.QUEUED, "Anne@example.org")
    with runtime.factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.retried")).one()
    assert (entry.entity_type, entry.entity_id, entry.actor) == ("mail", str(bad), "cli")
    assert entry.detail == {"attempts": 1, "reason": "refused", "changed": "recipient_email"}
    with Relay() as relay:
        assert send_queued(runtime.factory, SmtpTarget("127.0.0.1", relay.port)).sent == [bad]
    assert "No parked mail." in runner.invoke(app, ["mail", "failed"]).output


def test_x_2_mail_retry_refuses_what_is_not_parked_and_a_bad_address(runtime: Any):
    """A sent or unknown id, and a --to that is not one address, are refused by name; nothing
    changes."""
    bad, good = _park(runtime)
    sent = runner.invoke(app, ["mail", "retry", str(good)])
    assert isinstance(sent.exception, IllegalTransition)
    assert f"Cannot retry mail {good}: it is sent, not parked" in str(sent.exception)
    unknown = runner.invoke(app, ["mail", "retry", "999999"])
    assert isinstance(unknown.exception, NotFound)
    two = runner.invoke(app, ["mail", "retry", str(bad), "--to", "a@x.nl, evil@evil.example"])
    assert isinstance(two.exception, InputRefused)
    assert str(two.exception).startswith("--to: ")
    assert outbox(runtime, bad).state is MailState.PARKED
    with runtime.factory() as session:
        assert not session.scalars(
            select(AuditEntry).where(AuditEntry.action == "mail.retried")
        ).all()


def test_x_2_the_poflow_command_says_why_a_retry_is_refused(runtime: Any):
    """The installed command prints one clear line for a message that is not parked, exit 1."""
    _bad, good = _park(runtime)
    done = subprocess.run(  # our own command, with the test's settings
        [sys.executable, "-m", "poflow", "mail", "retry", str(good)],
        capture_output=True,
        text=True,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"IllegalTransition: Cannot retry mail {good}: it is sent, not parked; only parked "
        "mail is queued again (see: poflow mail failed)."
    )
