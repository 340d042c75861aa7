"""P&O's pages of the workspace (issue 21, item 7): the audit trail with its filters and CSV
export, the mail gallery and the state of outgoing mail; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.audit_trail import safe_cell
from poflow.db.models import AuditEntry, Outbox
from poflow.gallery import mail_templates
from poflow.states import MailState
from poflow.web import create_app
from poflow.web.workspace.gallery import FRAMED_CSP
from tests.mail.poison import outbox, queue
from tests.web.support import add_person, heading, login_as

HOSTILE = '=HYPERLINK("https://evil.example","klik")'


@pytest.fixture
def client(runtime: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database, logged in as a P&O adviser."""
    add_person(runtime, "HB-9201", ["po_adviseur"], "Noor", "Visser")
    with TestClient(create_app(runtime.settings)) as c:
        login_as(c, runtime, "HB-9201")
        yield c


def _audit(rt: Any, at: datetime, actor: str, entity_id: str, **detail: Any) -> None:
    with rt.factory() as session, session.begin():
        session.add(
            AuditEntry(
                at=at,
                municipality=detail.pop("municipality", "hardenberg"),
                actor=actor,
                action=detail.pop("action", "hire.moved"),
                entity_type=detail.pop("entity_type", "hire"),
                entity_id=entity_id,
                detail=detail,
            )
        )


@pytest.fixture
def trail(runtime: Any) -> None:
    """Audit rows of two cases on three days, one of another municipality, one hostile."""
    _audit(runtime, datetime(2027, 3, 1, 9, tzinfo=UTC), "HB-9201", "NH-2027-001", days=7)
    _audit(runtime, datetime(2027, 3, 2, 23, 30, tzinfo=UTC), "system", "NH-2027-001")
    _audit(runtime, datetime(2027, 3, 5, 9, tzinfo=UTC), "cli:beheer", "NH-2027-002", why=HOSTILE)
    _audit(runtime, datetime(2027, 3, 5, 10, tzinfo=UTC), "HB-9201", "HB-0004",
           action="person.role_added", entity_type="person", role="buddy")  # fmt: skip
    _audit(runtime, datetime(2027, 3, 1, 9, tzinfo=UTC), "KB-0001", "NH-2027-001",
           municipality="kaag-en-braassem")  # fmt: skip


def _ids(page: str) -> list[str]:
    return re.findall(r"<td>(?:hire|person) ([A-Z0-9-]+)</td>", page)


class TestAuditTrail:
    def test_x_4_the_audit_trail_filters_by_case_person_and_dates(
        self, client: TestClient, trail: None
    ):
        """The trail shows the municipality's rows only, newest first, and each filter narrows
        them: a case, a person (what they did and what was done to them), a date range in the
        municipality's time zone."""
        page = client.get("/audit")
        assert page.status_code == 200
        assert heading(page.text) == "Audit van Gemeente Hardenberg"
        shown = _ids(page.text)
        assert shown[:4] == ["HB-0004", "NH-2027-002", "NH-2027-001", "NH-2027-001"]
        assert "KB-0001" not in page.text
        assert "Noor Visser" in page.text  # the actor by name
        assert _ids(client.get("/audit?zaak=NH-2027-001").text) == ["NH-2027-001"] * 2
        by_person = _ids(client.get("/audit?persoon=HB-0004").text)
        assert by_person == ["HB-0004"]
        # 2 March 23:30 UTC is 3 March (00:30 CET) in Amsterdam: outside 1..2 March.
        assert _ids(client.get("/audit?van=2027-03-01&tot=2027-03-02").text) == ["NH-2027-001"]
        assert _ids(client.get("/audit?van=2027-03-03&tot=2027-03-03").text) == ["NH-2027-001"]

    def test_bad_filter_values_are_named_and_nothing_is_listed(
        self, client: TestClient, trail: None
    ):
        """A date that is no date, or an end before the start, is named per field."""
        page = client.get("/audit?van=1-3-2027&tot=2027-02-30")
        assert page.status_code == 400
        assert "Van: vul een datum in als jjjj-mm-dd" in page.text
        assert "Tot en met: vul een datum in" in page.text
        assert _ids(page.text) == []
        backwards = client.get("/audit?van=2027-03-05&tot=2027-03-01")
        assert "Tot en met ligt vóór Van" in backwards.text
        assert client.get("/audit.csv?van=nee").status_code == 400

    def test_the_audit_trail_is_paginated(self, runtime: Any, client: TestClient):
        """Fifty rows a page; the last page holds the rest and links back."""
        for n in range(55):
            _audit(runtime, datetime(2027, 3, 1, 9, n, tzinfo=UTC), "system", f"NH-2027-{n:03d}")
        first = client.get("/audit").text
        total = int(re.findall(r"(\d+) regels, pagina 1 van 2", first)[0])
        assert total > 55  # and the rows of Noor's login
        assert first.count('<td class="details">') == 50
        second = client.get("/audit?pagina=2").text
        assert second.count('<td class="details">') == total - 50
        assert "NH-2027-000" in second
        assert "Vorige pagina" in second

    def test_x_4_the_csv_export_holds_the_filtered_rows_with_formulas_defused(
        self, client: TestClient, trail: None
    ):
        """The CSV holds the filter's rows, oldest first, and a cell a spreadsheet would read as
        a formula starts with an apostrophe."""
        answer = client.get("/audit.csv?van=2027-03-01&tot=2027-03-05")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert 'filename="audit-hardenberg.csv"' in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert [r["object"] for r in rows] == [
            "NH-2027-001",
            "NH-2027-001",
            "NH-2027-002",
            "HB-0004",
        ]
        assert rows[0]["moment"] == "2027-03-01T10:00:00+01:00"
        assert rows[0]["naam"] == "Noor Visser"
        assert rows[2]["actor"] == "cli:beheer"
        hostile = [c for r in rows for c in r.values() if "HYPERLINK" in c]
        assert hostile
        assert all(not c.startswith("=") for c in hostile)
        only = client.get("/audit.csv?zaak=NH-2027-002").text
        assert next(iter(csv.DictReader(io.StringIO(only))))["object"] == "NH-2027-002"

    @pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
    def test_every_formula_start_is_defused(self, start: str):
        """Each character a spreadsheet starts a formula with gets the apostrophe; others not."""
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
        assert safe_cell("NH-2027-001") == "NH-2027-001"

    def test_only_a_po_adviser_sees_the_audit_trail(self, runtime: Any, client: TestClient):
        """A colleague without the P&O role is refused the trail and its export."""
        add_person(runtime, "HB-9202", ["medewerker"], "Bram", "Kok")
        login_as(client, runtime, "HB-9202")
        assert client.get("/audit").status_code == 403
        assert client.get("/audit.csv").status_code == 403


class TestGallery:
    def test_the_gallery_renders_every_template_of_the_municipality(
        self, runtime: Any, client: TestClient
    ):
        """Every mail template is listed and opens with its subject, plain text and the HTML in
        a sandboxed frame of its own."""
        index = client.get("/mails")
        assert index.status_code == 200
        names = mail_templates(runtime.settings.templates_dir)
        assert len(names) > 30
        for name in names:
            assert f'href="/mails/voorbeeld/{name}"' in index.text, name
        for name in names:
            page = client.get(f"/mails/voorbeeld/{name}")
            assert page.status_code == 200, name
            assert f'src="/mails/html/{name}"' in page.text
            assert "frame-src 'self'" in page.headers["content-security-policy"]
            framed = client.get(f"/mails/html/{name}")
            assert framed.status_code == 200, name
            assert framed.headers["content-security-policy"] == FRAMED_CSP
        welcome = client.get("/mails/voorbeeld/onboarding/welkom_prive").text
        assert "<pre" in welcome
        assert "Beste " in welcome
        assert client.get("/mails/voorbeeld/bestaat/niet").status_code == 404

    def test_other_pages_may_not_be_framed(self, client: TestClient):
        """Only the rendered mail may be framed (by our own pages); the gallery itself not."""
        assert "frame-ancestors 'none'" in client.get("/mails").headers["content-security-policy"]


class TestOutgoing:
    def test_outgoing_mail_shows_every_state_and_a_failure_with_its_reason(
        self, runtime: Any, client: TestClient
    ):
        """Waiting, failed (with its reason and next attempt), parked and sent messages are shown
        by state, with counts; only a parked message has the retry button."""
        waiting = queue(runtime, "wacht", "a@example.org", name="Wim Wacht")
        failed = queue(runtime, "mislukt", "b@example.org", name="Fleur Faal")
        parked = queue(runtime, "geparkeerd", "c@example.org", name="Pim Park")
        sent = queue(runtime, "verstuurd", "d@example.org", name="Vera Verstuurd")
        with runtime.factory() as session, session.begin():
            row = session.get(Outbox, failed)
            row.last_error, row.attempts = "SMTPServerDisconnected: connection lost", 1
            row.next_attempt_at = datetime(2027, 3, 1, 9, 15, tzinfo=UTC)
            session.get(Outbox, parked).state = MailState.PARKED
            session.get(Outbox, parked).last_error = "SMTPRecipientsRefused: 550"
            session.get(Outbox, sent).state = MailState.SENT
            session.get(Outbox, sent).sent_at = datetime(2027, 3, 1, 8, tzinfo=UTC)
        page = client.get("/mails/uitgaand").text
        sections = re.split(r"<h2 ", page)
        assert "Wim Wacht" in next(s for s in sections if s.startswith('id="wacht"'))
        failed_part = next(s for s in sections if s.startswith('id="mislukt"'))
        assert "Fleur Faal" in failed_part
        assert "SMTPServerDisconnected: connection lost" in failed_part
        assert "1 maart 2027" in failed_part
        assert "10:15" in failed_part
        assert "Pim Park" in next(s for s in sections if s.startswith('id="geparkeerd"'))
        assert "Vera Verstuurd" in next(s for s in sections if s.startswith('id="verstuurd"'))
        assert page.count("Opnieuw versturen") == 1
        assert f'action="/mails/uitgaand/{parked}"' in page
        assert (waiting, outbox(runtime, waiting).state) == (waiting, MailState.QUEUED)

    def test_x_4_the_retry_is_audited_as_the_adviser(self, runtime: Any, client: TestClient):
        """A parked message sent again from the page is queued and audited with the adviser as
        actor; another municipality's message is not touched."""
        from tests.web.test_parked_page import csrf_in_form

        parked = queue(runtime, "park", "c@example.org")
        with runtime.factory() as session, session.begin():
            session.get(Outbox, parked).state = MailState.PARKED
        page = client.get("/mails/uitgaand").text
        csrf = csrf_in_form(page, f"/mails/uitgaand/{parked}")
        answer = client.post(f"/mails/uitgaand/{parked}", data={"csrf": csrf})
        assert answer.status_code == 200  # followed to the page saying so
        assert f"Bericht {parked} staat weer klaar" in answer.text
        assert outbox(runtime, parked).state is MailState.QUEUED
        with runtime.factory() as session:
            entry = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "mail.retried")
            ).one()
        assert (entry.actor, entry.entity_id) == ("HB-9201", str(parked))
        again = client.post(f"/mails/uitgaand/{parked}", data={"csrf": csrf})
        assert again.status_code == 409
        assert "is niet (meer) geparkeerd" in again.text
