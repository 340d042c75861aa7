"""A new colleague's introduction programme in the workspace (issue 21, item 6): P&O enrols a
secondary-group hire, adds a role-specific item, records an item of the own line done and
imports e-learning completions from an upload, with the same domain functions as `poflow intro`
and audited as the adviser (X-4); the portfolio shows each item with its certificate (INT-4); on
SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select

from poflow.db.models import Step
from poflow.introduction.models import Certificate, enrolment_of
from poflow.kernel.calendar import today
from poflow.states import StepState
from poflow.web import create_app
from tests.web.support import heading, login_as
from tests.web.test_workspace_cycle import audited, csrf_for

PO, MANAGER = "HB-0002", "HB-0004"
STAGE, INHUUR = "NH-2027-003", "NH-2027-004"  # a stage and an inhuur: the secondary group
PAGE = "/introductie/medewerker/{}"


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database with the example staff and hires."""
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def post(client: TestClient, hire_id: str, what: str, data: dict[str, str]) -> Any:
    """Post the form `what` of the hire's programme page, not following the redirect."""
    page = PAGE.format(hire_id)
    csrf = csrf_for(client.get(page).text, f"{page}/{what}")
    return client.post(f"{page}/{what}", data={"csrf": csrf, **data}, follow_redirects=False)


def upload(client: TestClient, name: str, content: bytes) -> Any:
    """Upload an e-learning export on /introductie."""
    csrf = csrf_for(client.get("/introductie").text, "/introductie/elearning")
    return client.post(
        "/introductie/elearning",
        data={"csrf": csrf},
        files={"bestand": (name, content)},
        follow_redirects=False,
    )


def _to_enrol(html: str) -> set[str]:
    """The links of the "Nog niet aangemeld" table on /introductie."""
    part = html.split('id="aanmelden"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'href="([^"]+#aanmelden)"', part))


def step_of(rt: Any, hire_id: str, key: str) -> Step | None:
    """The hire's step `key`."""
    with rt.factory() as session:
        return session.scalars(select(Step).where(Step.case_id == hire_id, Step.key == key)).first()


class TestEnrolAndItems:
    """Enrolment (INT-1), a role-specific item (INT-5) and an item done by hand (INT-4)."""

    def test_int_1_po_enrols_a_secondary_group_hire(self, example_data: Any, client: TestClient):
        """The stage hire is enrolled in the light variant through the form, audited as the
        adviser; the page then shows the portfolio."""
        login_as(client, example_data, PO)
        opened = client.get("/introductie/medewerker?nummer=nh-2027-003", follow_redirects=False)
        assert opened.headers["location"] == PAGE.format(STAGE)
        page = client.get(PAGE.format(STAGE))
        assert heading(page.text) == "Introductieprogramma van Noor Bakker"
        assert "Aanmelden voor het introductieprogramma" in page.text
        wrong = post(client, STAGE, "aanmelden", {"variant": "onbekend"})
        assert wrong.status_code == 409
        assert "Aanmelden kan niet: deze variant bestaat niet." in wrong.text
        done = post(client, STAGE, "aanmelden", {"variant": ""})
        assert done.status_code == 303
        shown = client.get(done.headers["location"]).text
        assert "doet mee aan het introductieprogramma" in shown
        assert "Portfolio" in shown
        with example_data.factory() as session:
            enrolment = enrolment_of(session, STAGE)
            assert enrolment is not None
            assert enrolment.variant == "light"
        assert [a.actor for a in audited(example_data, "intro.enrolled")] == [PO]

    def test_int_1_the_sessions_page_lists_who_p_and_o_may_still_enrol(
        self, example_data: Any, client: TestClient
    ):
        """Once planned, the aanvullende groep's hires (the stage and the inhuur: offered to
        their leidinggevende, not enrolled) are listed on /introductie with a link to enrol
        them; an enrolled one leaves the list, a primary-group hire is never on it."""
        example_data.plan("hardenberg", today())
        login_as(client, example_data, PO)
        listed = _to_enrol(client.get("/introductie").text)
        assert listed == {PAGE.format(STAGE) + "#aanmelden", PAGE.format(INHUUR) + "#aanmelden"}
        assert post(client, STAGE, "aanmelden", {"variant": ""}).status_code == 303
        assert _to_enrol(client.get("/introductie").text) == {PAGE.format(INHUUR) + "#aanmelden"}

    def test_int_5_role_item_and_int_4_item_done_by_po(self, example_data: Any, client: TestClient):
        """A role-specific item joins the own line; an e-learning recorded done by hand gets
        its certificate; both audited as the adviser; a closing talk refused stays open."""
        login_as(client, example_data, PO)
        post(client, INHUUR, "aanmelden", {"variant": "volledig"})
        missing = post(client, INHUUR, "rolpunt", {"titel": "", "deadline": "morgen"})
        assert missing.status_code == 422
        assert "Wat is afgesproken: vul in wat is afgesproken." in missing.text
        assert "Uiterlijk klaar op: vul een datum in" in missing.text
        due = (today() + timedelta(days=150)).isoformat()
        added = post(client, INHUUR, "rolpunt", {"titel": "Cursus Omgevingswet", "deadline": due})
        assert added.status_code == 303
        assert "Cursus Omgevingswet" in client.get(added.headers["location"]).text
        assert step_of(example_data, INHUUR, "int:rol:1") is not None
        assert [a.actor for a in audited(example_data, "int.role_item")] == [PO]
        done = post(client, INHUUR, "afgerond", {"onderdeel": "infoveiligheid"})
        assert done.status_code == 303
        assert "Het onderdeel is afgerond." in client.get(done.headers["location"]).text
        step = step_of(example_data, INHUUR, "int:elearning:infoveiligheid")
        assert step is not None
        assert (step.state, step.done_by) == (StepState.DONE, PO)
        with example_data.factory() as session:
            cert = session.scalars(select(Certificate).where(Certificate.hire_id == INHUUR)).one()
            assert cert.item == "infoveiligheid"
        refused = post(client, INHUUR, "afgerond", {"onderdeel": "startontwikkelgesprek"})
        assert refused.status_code == 409
        assert "Er is nog niets gewijzigd." in refused.text
        talk = step_of(example_data, INHUUR, "int:startontwikkelgesprek")
        assert talk is not None
        assert talk.state is StepState.OPEN
        unknown = post(client, INHUUR, "afgerond", {"onderdeel": "zwemles"})
        assert "Dit onderdeel hoort niet bij het programma." in unknown.text


class TestElearningImport:
    """E-learning completions from the learning platform (INT-4): every row or none."""

    def test_int_4_upload_completes_elearning_with_a_certificate(
        self, example_data: Any, client: TestClient
    ):
        """A CSV completes the listed e-learning (certified, audited as the adviser); an XLSX
        with one bad row is refused by row and column in Dutch and changes nothing."""
        login_as(client, example_data, PO)
        post(client, INHUUR, "aanmelden", {"variant": "volledig"})
        day = today().isoformat()
        bad = Workbook()
        sheet = bad.active
        assert sheet is not None
        for row in (
            ("hire_id", "module", "completed_on"),
            (INHUUR, "werken_bij", day),
            (INHUUR, "zwemles", day),
            ("NH-2027-101", "werken_bij", day),
        ):
            sheet.append(row)
        buffer = io.BytesIO()
        bad.save(buffer)
        refused = upload(client, "leerplatform.xlsx", buffer.getvalue())
        assert refused.status_code == 422
        assert "Rij 3, kolom module: zwemles is geen e-learning" in refused.text
        assert "Rij 4, kolom Nummer van de nieuwe medewerker (hire_id)" in refused.text
        step = step_of(example_data, INHUUR, "int:elearning:werken_bij")
        assert step is not None
        assert step.state is StepState.OPEN
        csv = f"hire_id,module,completed_on\n{INHUUR},werken_bij,{day}\n".encode()
        done = upload(client, "leerplatform.csv", csv)
        assert done.status_code == 303
        assert (
            "E-learning ingelezen: 1 afgerond, 0 waren al afgerond."
            in client.get(done.headers["location"]).text
        )
        step = step_of(example_data, INHUUR, "int:elearning:werken_bij")
        assert step is not None
        assert step.state is StepState.DONE
        folio = client.get(PAGE.format(INHUUR)).text
        assert f"BVD-{INHUUR}-werken_bij" in folio
        rows = audited(example_data, "int.completions.imported")
        assert [(a.actor, a.detail["completed"]) for a in rows] == [(PO, 1)]
        empty = upload(client, "leeg.csv", b"")
        assert "Kies eerst een bestand." in client.get(empty.headers["location"]).text


def test_intro_pages_are_for_po_of_their_own_municipality(example_data: Any, client: TestClient):
    """A leidinggevende is refused the programme page; another municipality's hire answers 404
    as an unknown one."""
    login_as(client, example_data, MANAGER)
    assert client.get(PAGE.format(STAGE)).status_code == 403
    login_as(client, example_data, PO)
    assert client.get(PAGE.format("NH-2027-101")).status_code == 404
