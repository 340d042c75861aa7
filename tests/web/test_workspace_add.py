"""Adding people in the workspace (issue 21, item 3): the new-hire form and the upload of a
staff or hires file with its dry run, on SQLite and PostgreSQL. The importer's rules judge
every row: the form's errors are the import's, the preview writes nothing, confirming imports
the file previewed, and importing it again changes nothing (X-1)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.models import AuditEntry, Hire, Person
from poflow.import_uploads import ImportUpload
from poflow.kernel.calendar import today
from poflow.staff.models import RoleGrant
from poflow.web import create_app
from poflow.web.limits import MAX_UPLOAD
from tests.conftest import EXAMPLES
from tests.web.support import heading, login_as, snapshot

HEADER = (EXAMPLES / "hires.csv").read_text(encoding="utf-8").splitlines()[0]
ADVISER = "HB-0002"  # Bram de Wit, P&O adviser of Hardenberg


def working_day(after: int = 30) -> date:
    """A Wednesday some weeks from today: a working day that is not in the past."""
    day = today() + timedelta(days=after)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def saturday() -> date:
    """A Saturday some weeks from today."""
    day = today() + timedelta(days=30)
    return day + timedelta(days=(5 - day.weekday()) % 7)


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """The web app on the example database, logged in as the P&O adviser."""
    with TestClient(create_app(example_data.settings)) as c:
        login_as(c, example_data, ADVISER)
        yield c


def csrf_of(page: str) -> str:
    """The CSRF value of the page's own form (the last one: the menu's logout form comes
    first)."""
    found = re.findall(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "no CSRF field on the page"
    return found[-1]


def form_values(**changes: str) -> dict[str, str]:
    """A valid new colleague of Hardenberg, with `changes`."""
    values = {
        "hire_id": "NH-2030-001",
        "given_name": "Saar",
        "family_name": "van Dongen",
        "private_email": "saar.vandongen@example.org",
        "work_email": "saar.vandongen@hardenberg.example.nl",
        "team": "Ruimtelijk domein",
        "function": "Planoloog",
        "manager_id": "HB-0004",
        "buddy_id": "HB-0005",
        "contract_type": "tijdelijk",
        "contract_months": "12",
        "start_date": working_day().isoformat(),
    }
    return {**values, **changes}


def without_uploads(rows: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without the kept upload files (the only thing a preview keeps)."""
    return {k: v for k, v in rows.items() if k != "import_upload"}


def hire_line(hire_id: str, given: str, **changes: str) -> str:
    """One line of a hires CSV for Hardenberg."""
    values = {
        **form_values(hire_id=hire_id, given_name=given),
        "private_email": f"{given.lower()}@example.org",
        "work_email": f"{given.lower()}@hardenberg.example.nl",
        "municipality": "hardenberg",
        **changes,
    }
    return ",".join(values[c] for c in HEADER.split(","))


def example_line(n: int) -> str:
    """Line `n` (1 = the first hire) of the shared example hires.csv."""
    return (EXAMPLES / "hires.csv").read_text(encoding="utf-8").splitlines()[n]


def upload(client: TestClient, content: bytes, *, kind: str = "hires", name: str = "h.csv") -> Any:
    """Upload a file through the import page's form; the preview page."""
    page = client.get("/medewerkers/importeren")
    return client.post(
        "/medewerkers/importeren",
        data={"csrf": csrf_of(page.text), "soort": kind},
        files={"bestand": (name, content)},
    )


def confirm(client: TestClient, preview: Any) -> Any:
    """Press the preview's confirm button."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))
    return client.post(
        "/medewerkers/importeren/bevestigen",
        data={k: fields[k] for k in ("csrf", "bestand", "soort", "plan")},
        follow_redirects=False,
    )


class TestNewHireForm:
    def test_errors_are_the_imports_named_per_field_in_dutch(
        self, example_data: Any, client: TestClient
    ):
        """Bad values come back with the importer's problems per field, in Dutch; nothing is
        written."""
        page = client.get("/medewerkers/nieuw")
        assert page.status_code == 200
        assert heading(page.text) == "Nieuwe medewerker toevoegen"
        before = without_uploads(snapshot(example_data))
        answer = client.post(
            "/medewerkers/nieuw",
            data={
                "csrf": csrf_of(page.text),
                **form_values(
                    given_name="",
                    manager_id="HB-0005",
                    buddy_id="HB-0005",
                    contract_months="",
                    start_date=saturday().isoformat(),
                ),
            },
        )
        assert answer.status_code == 400
        text = html.unescape(answer.text)
        for expected in (
            "Voornaam: is leeg; dit is verplicht.",
            "Leidinggevende: HB-0005 heeft de rol leidinggevende niet.",
            "Buddy: de buddy kan niet de leidinggevende zijn.",
            "Duur van het contract in maanden: is leeg; verplicht bij contract tijdelijk.",
            f"Eerste werkdag: {saturday().isoformat()} is geen werkdag (zaterdag).",
        ):
            assert expected in text, expected
        assert 'id="fout-given_name"' in answer.text
        assert 'value="van Dongen"' in answer.text  # what was typed stays
        assert without_uploads(snapshot(example_data)) == before

    def test_x_4_a_valid_hire_is_created_as_the_import_does_audited_as_the_adviser(
        self, example_data: Any, client: TestClient
    ):
        """A valid form creates the hire as the import does, audited with the adviser as actor,
        and goes on to the hire's page."""
        page = client.get("/medewerkers/nieuw")
        answer = client.post(
            "/medewerkers/nieuw",
            data={"csrf": csrf_of(page.text), **form_values()},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/medewerkers/NH-2030-001"
        with example_data.factory() as session:
            hire = session.get(Hire, "NH-2030-001")
            assert hire is not None
            assert (hire.family_name, hire.manager_id, hire.contract_months) == (
                "van Dongen",
                "HB-0004",
                12,
            )
            assert hire.start_date == working_day()
            assert hire.municipality == "hardenberg"
            audits = session.scalars(
                select(AuditEntry).where(AuditEntry.entity_id == "NH-2030-001")
            ).all()
        assert [(a.action, a.actor) for a in audits] == [("hire.imported", ADVISER)]

    def test_only_a_po_adviser_may_add_people(self, example_data: Any, client: TestClient):
        """A manager is refused the form and the upload page with a Dutch 403."""
        login_as(client, example_data, "HB-0004")
        for path in ("/medewerkers/nieuw", "/medewerkers/importeren"):
            page = client.get(path)
            assert page.status_code == 403
            assert "Deze pagina is niet voor jou" in page.text


class TestUpload:
    def file(self) -> bytes:
        """Four rows: a new hire, a changed one, an unchanged one and a bad one."""
        changed = example_line(1).replace("Beleidsadviseur ruimtelijke ordening", "Planoloog")
        lines = [
            HEADER,
            hire_line("NH-2030-010", "Tim"),
            changed,
            example_line(2),
            hire_line("NH-2030-011", "Vera", manager_id="HB-9999"),
        ]
        return ("\n".join(lines) + "\n").encode()

    def test_the_preview_lists_rows_and_errors_and_writes_nothing(
        self, example_data: Any, client: TestClient
    ):
        """The dry run shows per row what would be created or changed and every error by row
        and column; nothing but the kept file is written."""
        before = without_uploads(snapshot(example_data))
        page = upload(client, self.file())
        assert page.status_code == 200
        assert heading(page.text) == "Voorbeeld van de import"
        text = html.unescape(page.text)
        rows = text.split("<tbody>")[2]
        assert "NH-2030-010</th>\n    <td>Tim van Dongen" in rows
        for part in ("Nieuw", "Gewijzigd", "Functie", "Ongewijzigd", "Niet geïmporteerd"):
            assert part in rows, part
        errors = text.split("<tbody>")[1].split("</tbody>")[0]
        assert "<td>5</td><td>Leidinggevende</td>" in errors
        assert "HB-9999" in errors
        assert "personeelsbestand" in errors
        assert "Importeer 2 rijen" in text
        assert without_uploads(snapshot(example_data)) == before
        with example_data.factory() as session:
            assert session.scalars(select(ImportUpload.person_id)).all() == [ADVISER]

    def test_x_1_confirm_imports_the_good_rows_and_a_second_import_changes_nothing(
        self, example_data: Any, client: TestClient
    ):
        """Confirming imports the good rows (the bad one is left out and reported), audited as
        the adviser; the same file again changes nothing."""
        answer = confirm(client, upload(client, self.file()))
        assert answer.status_code == 303
        done = client.get(answer.headers["location"])
        assert "1 nieuw, 1 gewijzigd, 1 ongewijzigd" in done.text
        assert "1 rij(en) met fouten zijn niet geïmporteerd" in html.unescape(done.text)
        with example_data.factory() as session:
            assert session.get(Hire, "NH-2030-010") is not None
            assert session.get(Hire, "NH-2030-011") is None
            assert session.get(Hire, "NH-2027-001").function == "Planoloog"
            actors = {
                (a.action, a.entity_id): a.actor
                for a in session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "hire"))
            }
            assert session.scalars(select(ImportUpload)).all() == []  # forgotten once imported
        assert actors[("hire.imported", "NH-2030-010")] == ADVISER
        assert actors[("hire.updated", "NH-2027-001")] == ADVISER
        before = without_uploads(snapshot(example_data))
        again = upload(client, self.file())
        assert "0 nieuw" in again.text
        assert "0 gewijzigd" in again.text
        assert "Er is niets te importeren" in again.text
        assert "Importeer" not in again.text
        assert without_uploads(snapshot(example_data)) == before

    def test_x_1_a_plan_that_changed_since_the_preview_is_shown_again_not_imported(
        self, example_data: Any, client: TestClient
    ):
        """When the database changed after the preview, confirming imports nothing and shows
        the new preview."""
        from poflow.importer import apply_hires, plan_hires

        preview = upload(client, self.file())
        one = [
            dict(zip(HEADER.split(","), hire_line("NH-2030-010", "Tim").split(","), strict=True))
        ]
        with example_data.factory() as session, session.begin():
            plan = plan_hires(session, one, example_data.configs, source="test")
            apply_hires(session, plan, example_data.configs, actor="test")
        before = without_uploads(snapshot(example_data))
        answer = confirm(client, preview)
        assert answer.status_code == 409
        assert "Sinds het voorbeeld is er iets veranderd" in answer.text
        assert without_uploads(snapshot(example_data)) == before

    def test_rec_9_a_staff_xlsx_asks_a_second_person_for_new_approval_roles(
        self, example_data: Any, client: TestClient
    ):
        """An .xlsx staff file is read; a new approval role waits for a second person, asked
        by the adviser, exactly as `poflow import staff` does."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(
            ["employee_id", "given_name", "family_name", "email", "team", "roles", "municipality"]
        )
        sheet.append(
            [
                "HB-0100",
                "Wout",
                "Kramer",
                "wout.kramer@hardenberg.example.nl",
                "ICT",
                "leidinggevende;medewerker",
                "hardenberg",
            ]
        )
        buffer = io.BytesIO()
        book.save(buffer)
        page = upload(client, buffer.getvalue(), kind="staff", name="personeel.xlsx")
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert "krijgt rol medewerker" in text
        assert "rol leidinggevende wacht op bevestiging door een tweede persoon" in text
        answer = confirm(client, page)
        assert answer.status_code == 303
        assert "1 rol(len) wachten op bevestiging" in client.get(answer.headers["location"]).text
        with example_data.factory() as session:
            person = session.get(Person, "HB-0100")
            assert person is not None
            assert person.role_names == {"medewerker"}
            grant = session.scalars(select(RoleGrant).where(RoleGrant.person_id == "HB-0100")).one()
        assert (grant.role, grant.requested_by, grant.confirmed_at) == (
            "leidinggevende",
            ADVISER,
            None,
        )

    def test_a_file_without_its_columns_is_reported_and_offers_nothing(
        self, example_data: Any, client: TestClient
    ):
        """A file whose header lacks columns is reported as unreadable, with no button."""
        page = upload(client, b"hire_id,given_name\nNH-1,Tim\n")
        assert "Dit bestand kan niet worden gelezen" in page.text
        assert "missing column(s)" in page.text
        assert "Importeer" not in page.text


class TestUploadLimit:
    def test_an_upload_over_64_kib_is_accepted_and_one_over_2_mib_refused_in_dutch(
        self, example_data: Any, client: TestClient
    ):
        """The upload route reads files larger than the app's 64 KiB, up to 2 MiB; a larger one
        is refused with a Dutch 413 page, and the other routes keep 64 KiB."""
        line = hire_line("NH-2030-010", "Tim") + "\n"
        rows = [HEADER + "\n"] + [line.replace("NH-2030-010", f"NH-2030-{i}") for i in range(500)]
        big = "".join(rows).encode()
        assert 64 * 1024 < len(big) < MAX_UPLOAD
        assert upload(client, big).status_code == 200
        too_big = upload(client, b"x" * (MAX_UPLOAD + 1))
        assert too_big.status_code == 413
        assert "Wat je verstuurde is te groot" in too_big.text
        page = client.get("/medewerkers/nieuw")
        form = client.post(
            "/medewerkers/nieuw",
            data={"csrf": csrf_of(page.text), **form_values(function="x" * 70_000)},
        )
        assert form.status_code == 413
