"""The introduction sessions, the conversation cycle and the coach report in the workspace
(issue 21, item 6): P&O records attendance per invitee through the CLI's own
record_attendances, audited as the adviser (X-4); the open talks show per leidinggevende with
their forms' state; the coach report shows counts, never a name (LBC-3); on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.coaching.registrations import NewRegistration, register
from poflow.conversations.cycle import start_cycle
from poflow.db.models import AuditEntry
from poflow.introduction.models import IntroSession, SessionParticipant
from poflow.introduction.states import ParticipationStatus
from poflow.kernel.calendar import TZ, today
from poflow.kernel.vocabulary import CaseType
from poflow.web import create_app
from tests.web.support import heading, login_as

PO, MANAGER, COACH, COLLEAGUE = "HB-0002", "HB-0004", "HB-0008", "HB-0005"
P = ParticipationStatus


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database with the example staff and hires."""
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def form_csrf_of(html: str, action: str) -> str:
    """The CSRF value of the page's first form posting to `action` (not the logout form's)."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" '
        r'value="([^"]+)"',
        html,
    )
    assert found, f"no form to {action} with a CSRF value"
    return found.group(1)


def _session(rt: Any, slug: str, days_from_today: int, places: dict[str, P]) -> int:
    """A start meeting `days_from_today` away with these hires invited (as the planner seats
    them), moved off a weekend (away from today), as the planner never plans one there."""
    day = today() + timedelta(days=days_from_today)
    while day.weekday() >= 5:  # Saturday, Sunday
        day += timedelta(days=1 if days_from_today >= 0 else -1)
    with rt.factory() as session, session.begin():
        s = IntroSession(
            municipality=slug,
            series="start",
            title="Startbijeenkomst",
            session_date=day,
            starts_at=datetime.combine(day, time(16), tzinfo=TZ),
            ends_at=datetime.combine(day, time(17), tzinfo=TZ),
            location="Gemeentehuis, raadzaal",
            capacity=25,
        )
        session.add(s)
        session.flush()
        for hire_id, status in places.items():
            session.add(
                SessionParticipant(
                    session_id=s.id,
                    hire_id=hire_id,
                    status=status,
                    reason="new",
                    invited_on=day - timedelta(days=14),
                )
            )
        return s.id


def _places(rt: Any, session_id: int) -> dict[str, tuple[P, str]]:
    with rt.factory() as session:
        rows = session.scalars(
            select(SessionParticipant).where(SessionParticipant.session_id == session_id)
        )
        return {p.hire_id: (p.status, p.updated_by) for p in rows}


def test_x_4_po_records_attendance_per_invitee_audited_as_the_adviser(
    example_data: Any, client: TestClient
):
    """Yesterday's start meeting waits for its attendance; each invitee's form records present
    or absent through record_attendances, audited as the logged-in P&O adviser."""
    past = _session(
        example_data, "hardenberg", -1, {"NH-2027-001": P.INVITED, "NH-2027-002": P.ACCEPTED}
    )
    coming = _session(example_data, "hardenberg", 20, {"NH-2027-003": P.INVITED})
    login_as(client, example_data, PO)
    overview = client.get("/introductie")
    assert overview.status_code == 200
    assert heading(overview.text) == "Introductiebijeenkomsten"
    assert "2 open" in overview.text
    assert "1 van 25" in overview.text
    assert "elke 6 weken" in overview.text
    page = client.get(f"/introductie/{past}")
    for name in ("Lotte Hendriks", "Milan Dekker"):
        assert name in page.text
    csrf = form_csrf_of(page.text, f"/introductie/{past}")
    for hire_id, answer in (("NH-2027-001", "ja"), ("NH-2027-002", "nee")):
        done = client.post(
            f"/introductie/{past}",
            data={"csrf": csrf, "medewerker": hire_id, "aanwezig": answer},
            follow_redirects=False,
        )
        assert done.status_code == 303
    assert "Vastgelegd: Milan Dekker was afwezig" in client.get(done.headers["location"]).text
    assert _places(example_data, past) == {
        "NH-2027-001": (P.ATTENDED, PO),
        "NH-2027-002": (P.MISSED, PO),
    }
    with example_data.factory() as session:
        audited = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "int.participant", AuditEntry.entity_id == str(past)
            )
        ).all()
    assert [(a.actor, a.detail["new"]) for a in audited] == [(PO, "attended"), (PO, "missed")]
    early = client.get(f"/introductie/{coming}")
    refused = client.post(
        f"/introductie/{coming}",
        data={
            "csrf": form_csrf_of(early.text, "/uitloggen"),
            "medewerker": "NH-2027-003",
            "aanwezig": "ja",
        },
    )
    assert refused.status_code == 403  # the logout form's value is not this form's
    early_csrf = _purpose_csrf(client, example_data, f"introductie:{coming}")
    too_early = client.post(
        f"/introductie/{coming}",
        data={"csrf": early_csrf, "medewerker": "NH-2027-003", "aanwezig": "ja"},
    )
    assert too_early.status_code == 422
    assert "de bijeenkomst moet nog plaatsvinden" in too_early.text
    assert _places(example_data, coming) == {"NH-2027-003": (P.INVITED, "system")}


def _purpose_csrf(client: TestClient, rt: Any, purpose: str) -> str:
    """The CSRF value the workspace gives a form of `purpose` in this client's session (a
    session page shows no form before the day of the session)."""
    from types import SimpleNamespace

    from poflow.web.identity import SESSION_COOKIE
    from poflow.web.workspace.frame import _csrf_with

    request = SimpleNamespace(cookies={SESSION_COOKIE: client.cookies.get(SESSION_COOKIE)})
    # A stand-in with the one attribute _csrf_with reads: the session cookie.
    return _csrf_with(rt.settings.signing_keys()[0], purpose, request)  # type: ignore[arg-type]


def test_introduction_pages_are_for_po_of_their_own_municipality(
    example_data: Any, client: TestClient
):
    """A leidinggevende is refused the pages and the form; another municipality's session
    answers 404 as an unknown one."""
    past = _session(example_data, "hardenberg", -1, {"NH-2027-001": P.INVITED})
    elsewhere = _session(example_data, "kaag-en-braassem", -1, {})
    login_as(client, example_data, MANAGER)
    assert client.get("/introductie").status_code == 403
    assert client.get(f"/introductie/{past}").status_code == 403
    csrf = _purpose_csrf(client, example_data, f"introductie:{past}")
    posted = client.post(
        f"/introductie/{past}", data={"csrf": csrf, "medewerker": "NH-2027-001", "aanwezig": "ja"}
    )
    assert posted.status_code == 403
    assert _places(example_data, past)["NH-2027-001"][0] is P.INVITED
    login_as(client, example_data, PO)
    assert client.get(f"/introductie/{elsewhere}").status_code == 404
    assert client.get(f"/introductie/{past}").status_code == 200


def test_open_talks_show_per_manager_with_the_state_of_their_form(
    example_data: Any, client: TestClient
):
    """A started cycle's richtgesprek shows under its leidinggevende with the POP form still
    to come; the P&O page only, for a leidinggevende it is refused."""
    with example_data.factory() as session, session.begin():
        ctx = example_data.context(session, "hardenberg", today(), actor="test")
        start_cycle(
            ctx,
            case_type=CaseType.PERSON,
            case_id=COLLEAGUE,
            on=today() + timedelta(days=30),
            manager_id=MANAGER,
            joined_on=today() - timedelta(days=900),
        )
    login_as(client, example_data, PO)
    page = client.get("/gesprekken")
    assert page.status_code == 200
    assert heading(page.text) == "Gesprekscyclus"
    text = page.text
    assert "Dirk Mulder (Ruimtelijk domein)" in text
    assert "Esra Yilmaz" in text
    assert "Richtgesprek (ronde 1)" in text
    assert "POP-formulier nog niet binnen, uiterlijk" in text
    assert "Beoordelingsgesprek (ronde 1)" not in text  # months away
    longer = client.get("/gesprekken?dagen=365").text
    assert "Beoordelingsgesprek (ronde 1)" in longer
    assert "beoordelingsformulier nog niet ingevuld" in longer
    login_as(client, example_data, MANAGER)
    assert client.get("/gesprekken").status_code == 403


def test_lbc_3_the_coach_report_page_shows_counts_and_no_names(
    example_data: Any, client: TestClient
):
    """The coach's registration counts in the report page of P&O and the loopbaancoach; the
    colleague's name, goal text and the coach's note appear nowhere; others are refused."""
    name, goal, note = "Fenna Fictiefsma", "Ontdekken wat ik wil", "Vertrouwelijke notitie"
    with example_data.factory() as session, session.begin():
        ctx = example_data.context(session, "hardenberg", today(), actor=COACH)
        register(
            ctx,
            NewRegistration(
                coach_id=COACH,
                employee_name=name,
                registered_on=today(),
                domain="Ruimtelijk domein",
                reason="wat_wil_ik",
                source="mond_op_mond",
                goal1_text=goal,
                note=note,
                employee_id=COLLEAGUE,
            ),
        )
    for who in (COACH, PO):
        login_as(client, example_data, who)
        page = client.get("/coaching")
        assert page.status_code == 200
        assert heading(page.text).startswith("Loopbaancoaching Gemeente Hardenberg")
        assert re.search(r"Ruimtelijk domein</th><td class=\"getal\">1</td>", page.text)
        assert re.search(r"Totaal</th><td class=\"getal\">1</td>", page.text)
        for personal in (name, "Fenna", "Fictiefsma", goal, note, "Esra", COLLEAGUE):
            assert personal not in page.text, personal
    login_as(client, example_data, MANAGER)
    assert client.get("/coaching").status_code == 403
