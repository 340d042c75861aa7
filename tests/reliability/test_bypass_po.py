"""Attacks on P&O's workspace pages (issue 21, item 7): reading another municipality's audit or
mail, retrying mail without the role, from another site or without the form's CSRF value; each
is refused, changes nothing and is recorded for the reliability report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from poflow.db.models import AuditEntry, Outbox
from poflow.states import MailState
from poflow.web import create_app
from tests.mail.poison import outbox, queue
from tests.reliability.support import record
from tests.web.support import add_person, login_as
from tests.web.test_parked_page import csrf_in_form


@pytest.fixture
def web(runtime: Any) -> Iterator[TestClient]:
    """The web app on this test's database; HB-9301 is P&O, HB-9302 a colleague."""
    add_person(runtime, "HB-9301", ["po_adviseur"], "Lies", "Bakker")
    add_person(runtime, "HB-9302", ["medewerker"], "Tom", "Smit")
    with TestClient(create_app(runtime.settings)) as client:
        yield client


def _parked(rt: Any, municipality: str = "hardenberg") -> int:
    row = queue(rt, f"park-{municipality}", "x@example.org")
    with rt.factory() as session, session.begin():
        found = session.get(Outbox, row)
        found.state, found.municipality = MailState.PARKED, municipality
    return row


def _retries(rt: Any) -> int:
    with rt.factory() as session:
        query = select(func.count()).where(AuditEntry.action == "mail.retried")
        return session.scalar(query) or 0


def test_x_4_a_colleague_without_the_role_reads_no_audit_and_retries_nothing(
    runtime: Any, web: TestClient
):
    """Without po_adviseur the audit, its CSV, the gallery and the outgoing mail are refused."""
    parked = _parked(runtime)
    login_as(web, runtime, "HB-9302")
    answers = [
        web.get(p).status_code for p in ("/audit", "/audit.csv", "/mails", "/mails/uitgaand")
    ]
    refused = answers == [403] * 4 and outbox(runtime, parked).state is MailState.PARKED
    record("bypass", variant="po 1 pages without the P&O role", refused=refused, error="403")
    assert refused, answers


def test_x_4_another_municipality_s_audit_and_mail_stay_out_of_sight(runtime: Any, web: TestClient):
    """P&O of Hardenberg sees no audit row of another municipality, in the page or the CSV,
    and cannot retry its parked mail."""
    with runtime.factory() as session, session.begin():
        session.add(
            AuditEntry(
                at=datetime(2027, 3, 1, tzinfo=UTC),
                municipality="kaag-en-braassem",
                actor="KB-0001",
                action="hire.moved",
                entity_type="hire",
                entity_id="NH-KB-SECRET",
                detail={},
            )
        )
    theirs = _parked(runtime, "kaag-en-braassem")
    login_as(web, runtime, "HB-9301")
    page, export = web.get("/audit?zaak=NH-KB-SECRET"), web.get("/audit.csv")
    outgoing = web.get("/mails/uitgaand")
    hidden = "hire NH-KB-SECRET" not in page.text and "NH-KB-SECRET" not in export.text
    hidden = hidden and f"Bericht {theirs}:" not in outgoing.text
    refused = hidden and outbox(runtime, theirs).state is MailState.PARKED
    record(
        "bypass",
        variant="po 2 another municipality's audit and mail",
        refused=refused,
        error="not shown in /audit, /audit.csv or /mails/uitgaand; the message stays parked",
    )
    assert refused


def test_x_4_a_retry_from_another_site_or_without_csrf_changes_nothing(
    runtime: Any, web: TestClient
):
    """A retry POST with a forged CSRF value, another site's Origin or for another
    municipality's message is refused and the message stays parked."""
    ours, theirs = _parked(runtime), _parked(runtime, "kaag-en-braassem")
    login_as(web, runtime, "HB-9301")
    csrf = csrf_in_form(web.get("/mails/uitgaand").text, f"/mails/uitgaand/{ours}")
    forged = web.post(f"/mails/uitgaand/{ours}", data={"csrf": "0" * 64})
    foreign = web.post(
        f"/mails/uitgaand/{ours}", data={"csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    elsewhere = web.post(f"/mails/uitgaand/{theirs}", data={"csrf": csrf})
    codes = (forged.status_code, foreign.status_code, elsewhere.status_code)
    unchanged = all(outbox(runtime, r).state is MailState.PARKED for r in (ours, theirs))
    refused = codes == (403, 403, 409) and unchanged and _retries(runtime) == 0
    record(
        "bypass",
        variant="po 3 retry forged, foreign or elsewhere",
        refused=refused,
        error=f"HTTP {codes[0]}, {codes[1]}, {codes[2]}; both messages stay parked",
    )
    assert refused, codes
