"""P&O's parked mail (issue 22, item 6), now part of the page of outgoing mail (issue 21, item
7): a logged-in P&O adviser sees the municipality's parked messages and sends one again with a
button, audited as the adviser (X-4), instead of running `poflow mail retry`; on SQLite and
PostgreSQL. The old address `/mail/geparkeerd`, linked from notices already sent, leads there."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.models import AuditEntry
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.states import MailState
from poflow.web import create_app
from poflow.web.guard import csrf_token
from poflow.web.identity import SESSION_COOKIE
from poflow.web.workspace.outgoing import PURPOSE
from tests.mail.poison import outbox, queue
from tests.mail.relays import Relay
from tests.web.support import SECRET, add_person, heading, login_as

GONE = "gone@example.org"


def csrf_in_form(page: str, action: str) -> str:
    """The CSRF value of the page's form posting to `action` (the menu's logout form has its
    own)."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" '
        r'name="csrf" value="([0-9a-f]+)"',
        page,
    )
    assert found, f"no form to {action} on the page"
    return found.group(1)


def workspace_csrf(secret: str, purpose: str, session_value: str) -> str:
    """The right CSRF value of a workspace form (poflow/web/workspace/frame.py), computed."""
    bound = hashlib.sha256(session_value.encode()).hexdigest()[:32]
    return csrf_token(secret, f"werkplek:{purpose}:{bound}", "-")


@pytest.fixture
def client(runtime: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(runtime.settings)) as c:
        yield c


@pytest.fixture
def parked(runtime: Any) -> int:
    """One message to Anne Test parked at once: the relay refuses its address for good."""
    row = queue(runtime, "poison", GONE, name="Anne Test", case_id="NH-7")
    with Relay() as relay:
        relay.refuse_rcpt[GONE] = "550 5.1.1 unknown mailbox"
        send_queued(runtime.factory, SmtpTarget("127.0.0.1", relay.port))
    assert outbox(runtime, row).state is MailState.PARKED
    return row


def test_x_4_a_po_adviser_sends_a_parked_message_again_from_the_page(
    runtime: Any, client: TestClient, parked: int
):
    """The P&O adviser sees the parked message (name, subject, reason, attempts) and the button
    queues it again to a corrected address, audited as the adviser; the next pass sends it."""
    add_person(runtime, "HB-9101", ["po_adviseur"], "Noor", "Visser")
    login_as(client, runtime, "HB-9101")
    old = client.get("/mail/geparkeerd", follow_redirects=False)  # the notices' old link
    assert (old.status_code, old.headers["location"]) == (303, "/mails/uitgaand#geparkeerd")
    page = client.get("/mail/geparkeerd")
    assert page.status_code == 200
    assert heading(page.text) == "Uitgaande mail van Gemeente Hardenberg"
    reason = html.escape(outbox(runtime, parked).last_error or "")
    for part in ("Anne Test", reason, "Opnieuw versturen", f"Bericht {parked}:", "Pogingen"):
        assert part in page.text, part
    answer = client.post(
        f"/mails/uitgaand/{parked}",
        data={
            "csrf": csrf_in_form(page.text, f"/mails/uitgaand/{parked}"),
            "adres": "anne.test@example.org",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "staat weer klaar" in client.get(answer.headers["location"]).text
    row = outbox(runtime, parked)
    assert (row.state, row.recipient_email) == (MailState.QUEUED, "anne.test@example.org")
    with runtime.factory() as session:
        retried = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "mail.retried")
        ).one()
    assert (retried.actor, retried.entity_id) == ("HB-9101", str(parked))
    with Relay() as relay:
        send_queued(runtime.factory, SmtpTarget("127.0.0.1", relay.port))
    assert [str(m["To"]) for m in relay.messages] == ["Anne Test <anne.test@example.org>"]


def test_only_a_po_adviser_may_send_parked_mail_again(
    runtime: Any, client: TestClient, parked: int
):
    """Someone without the P&O adviser role is refused the page and the button; the message
    stays parked."""
    add_person(runtime, "HB-9102", ["medewerker"], "Bram", "Kok")
    login_as(client, runtime, "HB-9102")
    page = client.get("/mails/uitgaand")
    assert page.status_code == 403
    assert "Anne Test" not in page.text
    csrf = workspace_csrf(SECRET, PURPOSE, client.cookies[SESSION_COOKIE])  # even a right one
    answer = client.post(f"/mails/uitgaand/{parked}", data={"csrf": csrf})
    assert answer.status_code == 403
    assert outbox(runtime, parked).state is MailState.PARKED


def test_the_page_needs_a_login_and_a_post_its_csrf_value(
    runtime: Any, client: TestClient, parked: int
):
    """Without a session the page sends to the login page; a POST without the page's CSRF
    value, or from another site, changes nothing."""
    first = client.get("/mails/uitgaand", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/inloggen?next=/mails/uitgaand")
    add_person(runtime, "HB-9103", ["po_adviseur"], "Iris", "Smit")
    login_as(client, runtime, "HB-9103")
    forged = client.post(f"/mails/uitgaand/{parked}", data={"csrf": "0" * 64})
    assert forged.status_code == 403
    page = client.get("/mails/uitgaand")
    foreign = client.post(
        f"/mails/uitgaand/{parked}",
        data={"csrf": csrf_in_form(page.text, f"/mails/uitgaand/{parked}")},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert outbox(runtime, parked).state is MailState.PARKED
