"""P&O's overview of new colleagues and a hire's page (issue 21, items 1 and 2): what they show,
their filters and counts, and who may see them; on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from poflow.db.models import Hire, Person, PersonRole, Step
from poflow.kernel.calendar import today
from poflow.runtime import run_day
from poflow.states import StepState
from poflow.web import create_app
from poflow.web.workspace.hire_model import COMING_SHOWN, PAST_SHOWN
from tests.web.support import heading, login_as

LOTTE, MILAN, NOOR, OLAF = "NH-2027-001", "NH-2027-002", "NH-2027-003", "NH-2027-004"
BRAM, DIRK, ESRA = "HB-0002", "HB-0004", "HB-0005"  # P&O; Lotte's leidinggevende; a medewerker


@pytest.fixture
def planned(example_data: Any) -> Any:
    """The example hires planned today: Lotte started 40 days ago (items late), Milan starts in
    20 days, Noor and Olaf later; the dispatcher's work of the last working day done and mailed."""
    rt = example_data
    day = today()
    with rt.factory() as session, session.begin():
        for hire_id, shift in ((LOTTE, -40), (MILAN, 20)):
            session.execute(
                update(Hire)
                .where(Hire.id == hire_id)
                .values(start_date=day + timedelta(shift), first_working_day=day + timedelta(shift))
            )
    workday = day  # the dispatcher works on working days: the last one up to today
    while not rt.config("hardenberg").calendar.is_working_day(workday):
        workday -= timedelta(days=1)
    run_day(rt, workday, municipality="hardenberg")
    return rt


@pytest.fixture
def client(planned: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(planned.settings)) as c:
        yield c


def text_of(page: str) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def row_of(page: str, hire_id: str) -> str:
    """The text of the overview's table row of `hire_id`."""
    found = re.search(
        rf"<tr>\s*<th scope=\"row\"><a href=\"/medewerkers/{hire_id}\".*?</tr>", page, re.S
    )
    assert found, f"no row for {hire_id}"
    return text_of(found.group(0))


def onb_counts(rt: Any, hire_id: str, phase: str) -> tuple[int, int, int]:
    """Done, open and late checklist items of a hire's phase, counted here from the steps."""
    day = today()
    with rt.factory() as session:
        steps = session.scalars(
            select(Step).where(Step.case_id == hire_id, Step.process == "onb")
        ).all()
    mine = [s for s in steps if s.data.get("phase") == phase and s.state != StepState.CANCELLED]
    done = sum(s.state == StepState.DONE for s in mine)
    late = sum(s.state == StepState.OPEN and s.due_date < day for s in mine)
    return done, len(mine) - done - late, late


def test_the_overview_lists_every_running_hire_with_its_progress_per_phase(
    planned: Any, client: TestClient
):
    """Each running hire appears by name, linked to their page, with done / open / late per
    phase as the checklist holds them, the next moment, and who is late."""
    login_as(client, planned, BRAM)
    page = client.get("/overzicht")
    assert page.status_code == 200
    assert heading(page.text) == "Nieuwe medewerkers van Gemeente Hardenberg"
    for hire_id, name in (
        (LOTTE, "Lotte Hendriks"),
        (MILAN, "Milan Dekker"),
        (NOOR, "Noor Bakker"),
    ):
        assert f'<a href="/medewerkers/{hire_id}">{name}</a>' in page.text
    lotte = row_of(page.text, LOTTE)
    done, open_, late = onb_counts(planned, LOTTE, "voor_eerste_werkdag")
    assert late > 0
    assert f"klaar {done} / open {open_} / te laat {late}" in lotte
    assert "De eerste drie maanden" in lotte
    assert "Dirk Mulder" in lotte
    assert "ICT" in lotte
    assert "niets te laat" in row_of(page.text, MILAN)
    assert "4 gevonden" in text_of(page.text)


def test_a_done_item_moves_from_late_to_done_on_the_overview(planned: Any, client: TestClient):
    """Marking one late item done changes the hire's counts: one more done, one fewer late."""
    login_as(client, planned, BRAM)
    with planned.factory() as session, session.begin():
        step = session.scalars(
            select(Step)
            .where(Step.case_id == LOTTE, Step.process == "onb", Step.state == StepState.OPEN)
            .where(Step.due_date < today(), Step.data["phase"].as_string() == "voor_eerste_werkdag")
            .order_by(Step.id)
        ).first()
        step.state = StepState.DONE
    done, open_, late = onb_counts(planned, LOTTE, "voor_eerste_werkdag")
    lotte = row_of(client.get("/overzicht").text, LOTTE)
    assert f"klaar {done} / open {open_} / te laat {late}" in lotte


def test_the_filters_narrow_the_overview_by_team_phase_and_lateness(
    planned: Any, client: TestClient
):
    """The team, phase and "only late" filters each show just the hires that match."""
    login_as(client, planned, BRAM)

    def shown(query: str) -> set[str]:
        page = client.get(f"/overzicht?{query}").text
        return set(re.findall(r'<a href="/medewerkers/(NH-[0-9-]+)">', page))

    assert shown("team=Maatschappelijk+domein") == {MILAN, OLAF}
    assert shown("fase=eerste_drie_maanden") == {LOTTE}
    assert shown("fase=voor_eerste_werkdag") == {MILAN, NOOR, OLAF}
    assert shown("te_laat=1") == {LOTTE}
    assert shown("team=Maatschappelijk+domein&te_laat=1") == set()
    assert shown("fase=onzin&pagina=x") == {LOTTE, MILAN, NOOR, OLAF}  # bad values: ignored


def test_nothing_late_after_every_late_item_is_done(planned: Any, client: TestClient):
    """When the late items are done, the hire no longer shows as late nor under "only late"."""
    login_as(client, planned, BRAM)
    with planned.factory() as session, session.begin():
        session.execute(
            update(Step)
            .where(Step.case_id == LOTTE, Step.state == StepState.OPEN, Step.due_date < today())
            .values(state=StepState.DONE)
        )
    page = client.get("/overzicht").text
    assert "niets te laat" in row_of(page, LOTTE)
    assert "Geen nieuwe medewerkers met deze filters" in client.get("/overzicht?te_laat=1").text


def test_what_waits_on_whom_groups_open_work_by_person(planned: Any, client: TestClient):
    """ "Wat wacht op wie" names each person (or role) with their open and late work."""
    login_as(client, planned, BRAM)
    text = text_of(client.get("/overzicht").text)
    waits = text.split("Wat wacht op wie", 1)[1]
    assert re.search(r"Dirk Mulder checklist-items \d+ \d+ te laat", waits)
    assert "ICT checklist-items" in waits


def test_a_hire_page_shows_the_checklist_and_the_whole_timeline(planned: Any, client: TestClient):
    """The hire's page lists every step with owner and state, every mail with its state and
    recipient role, the invitations' state, and the audit's who-did-what; P&O gets the actions."""
    login_as(client, planned, BRAM)
    page = client.get(f"/medewerkers/{LOTTE}?alles=1")
    assert page.status_code == 200
    assert heading(page.text) == "Lotte Hendriks"
    text = text_of(page.text)
    with planned.factory() as session:
        steps = session.scalars(select(Step).where(Step.case_id == LOTTE)).all()
    assert steps
    for step in steps:
        assert html.escape(step.title) in page.text
    assert "te laat" in text
    assert "Dirk Mulder" in text
    assert re.search(r"\(aan (leidinggevende|P&O|nieuwe collega|buddy)\)", text)
    assert "verstuurd" in text
    assert "Stap gepland: " in text  # audit actions and action kinds in Dutch, not as codes
    assert "Uitnodiging check-in: " in text
    assert "step.planned" not in text
    assert "chk.invite" not in text
    assert "door " in text
    for path in ("verplaatsen", "annuleren", "buddy", "leidinggevende"):
        assert f'href="/medewerkers/{LOTTE}/{path}"' in page.text
    assert f"/medewerkers/{LOTTE}/items/" in page.text


def test_a_hire_page_shows_recent_and_coming_lines_until_asked_for_all(
    planned: Any, client: TestClient
):
    """The timeline first shows its last lines up to today and the next ones, says how many it
    leaves out and links to all of them; `?alles=1` shows every line."""
    login_as(client, planned, BRAM)
    rows = r"<tr>\s*<td>[^<]*</td>\s*<td>(?:actie|mail|audit)</td>"
    short = client.get(f"/medewerkers/{LOTTE}").text
    full = client.get(f"/medewerkers/{LOTTE}?alles=1").text
    shown, every = len(re.findall(rows, short)), len(re.findall(rows, full))
    assert every > PAST_SHOWN + COMING_SHOWN
    assert shown == PAST_SHOWN + COMING_SHOWN
    left_out = re.search(r"(\d+) andere regels zijn weggelaten", text_of(short))
    assert left_out
    assert int(left_out.group(1)) == every - shown
    assert f'href="/medewerkers/{LOTTE}?alles=1#tijdlijn">Alles tonen ({every} regels)' in short
    assert "Minder tonen" in full
    assert "weggelaten" not in full


def test_a_hire_of_another_municipality_is_not_found(planned: Any, client: TestClient):
    """A P&O adviser of another municipality gets 404 for a Hardenberg hire, as for an
    unknown one."""
    with planned.factory() as session, session.begin():
        session.add(
            Person(
                id="KB-9001",
                municipality="kaag-en-braassem",
                given_name="Pim",
                family_name="Zandstra",
                email="pim.zandstra@kaag.example.nl",
                team="P&O",
            )
        )
        session.flush()
        session.add(
            PersonRole(person_id="KB-9001", municipality="kaag-en-braassem", role="po_adviseur")
        )
    login_as(client, planned, "KB-9001")
    other = client.get(f"/medewerkers/{LOTTE}")
    assert other.status_code == 404
    assert "Lotte" not in other.text
    assert client.get("/medewerkers/NH-0000-999").status_code == 404
    assert "Lotte" not in client.get("/overzicht").text


def test_a_manager_sees_only_their_own_hire_read_only(planned: Any, client: TestClient):
    """The leidinggevende sees their own hire's page without the actions, another manager's
    hire is not found, and the overview is refused."""
    login_as(client, planned, DIRK)
    own = client.get(f"/medewerkers/{LOTTE}")
    assert own.status_code == 200
    assert "Acties" not in own.text
    assert "/verplaatsen" not in own.text
    assert "/namens" not in own.text
    assert client.get(f"/medewerkers/{MILAN}").status_code == 404  # Femke's hire
    assert client.get("/overzicht").status_code == 403


def test_a_medewerker_is_refused_both_pages(planned: Any, client: TestClient):
    """Someone with neither role gets the Dutch refusal (403) and no names."""
    login_as(client, planned, ESRA)
    for path in ("/overzicht", f"/medewerkers/{LOTTE}"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "Lotte" not in answer.text


def test_the_pages_need_a_login(planned: Any, client: TestClient):
    """Without a session both pages send the browser to the login page and back."""
    for path in ("/overzicht?te_laat=1", f"/medewerkers/{LOTTE}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/inloggen?next=")
