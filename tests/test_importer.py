"""Tests of the staff and hires import: exact columns, all-or-nothing, re-import is a no-op."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from poflow._exceptions import ImportRejected
from poflow.db.models import AuditEntry, Hire, Person
from poflow.importer import HIRE_COLUMNS, import_hires, import_staff
from tests.conftest import EXAMPLES


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] | list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _count(rt: Any, model: type) -> int:
    with rt.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_example_files_import_with_roles_and_first_working_days(example_data: Any):
    """The shared example staff and hires load with roles and computed first working days."""
    rt = example_data
    with rt.factory() as session:
        dirk = session.get(Person, "HB-0004")
        assert dirk.role_names == {"leidinggevende", "mt_lid"}
        lotte = session.get(Hire, "NH-2027-001")
        assert lotte.first_working_day.isoformat() == "2027-02-01"
        assert lotte.manager.id == "HB-0004"
        assert lotte.buddy.id == "HB-0005"
        assert session.get(Hire, "NH-2027-002").contract_months == 12
    assert _count(rt, Person) == 11
    assert _count(rt, Hire) == 4


def test_reimporting_the_same_files_changes_nothing(example_data: Any):
    """A second import of the same files creates, updates and audits nothing."""
    rt = example_data
    audits = _count(rt, AuditEntry)
    with rt.factory() as session, session.begin():
        staff = import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        hires = import_hires(session, EXAMPLES / "hires.csv", rt.configs)
    assert (staff.created, staff.updated, staff.unchanged) == (0, 0, 11)
    assert (hires.created, hires.updated, hires.unchanged) == (0, 0, 4)
    assert _count(rt, AuditEntry) == audits


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("municipality", "atlantis", "row 4, column 'municipality': unknown municipality"),
        ("contract_type", "zzp", "row 4, column 'contract_type': unknown contract type 'zzp'"),
        ("manager_id", "HB-9999", "row 4, column 'manager_id': unknown person 'HB-9999'"),
        (
            "manager_id",
            "HB-0005",
            "row 4, column 'manager_id': person HB-0005 does not have the role leidinggevende",
        ),
        (
            "private_email",
            "noor@@example",
            "row 4, column 'private_email': 'noor@@example' is not a valid email address",
        ),
        ("start_date", "2027-02-30", "row 4, column 'start_date': '2027-02-30' is not a date"),
        ("start_date", "01/03/2027", "row 4, column 'start_date': '01/03/2027' is not a date"),
        (
            "hire_id",
            "NH-2027-001",
            "row 4, column 'hire_id': 'NH-2027-001' appears twice (also row 2)",
        ),
        ("given_name", "", "row 4, column 'given_name': is empty"),
        ("contract_months", "", "row 4, column 'contract_months': is empty; required"),
        ("contract_months", "vijf", "row 4, column 'contract_months': 'vijf' is not a whole"),
        ("contract_months", "²", "row 4, column 'contract_months': '²' is not a whole number"),
        ("contract_months", "١٢", "row 4, column 'contract_months': '١٢' is not a whole number"),
        ("hire_id", "HB-0004", "row 4, column 'hire_id': 'HB-0004' is already a staff member's"),
        ("given_name", "Noor\u202e", "row 4, column 'given_name': contains a bidi override"),
        ("family_name", "Bak\x85ker", "row 4, column 'family_name': contains a C1 control"),
        ("team", "Ruimte\u200b", "row 4, column 'team': contains a zero-width character"),
        ("function", "Stagiair\x00", "row 4, column 'function': contains a control character"),
        ("given_name", "N" * 101, "row 4, column 'given_name': is 101 characters long (at most"),
        ("private_email", "éva@example.org", "row 4, column 'private_email': 'éva@example.org' "),
        ("work_email", "noor@gemeente-hardenbеrg.nl", "column 'work_email': 'noor@gemeente-har"),
        ("work_email", "a@x.nl, evil@evil.example", "row 4, column 'work_email': 'a@x.nl, evil"),
    ],
)
def test_one_bad_hire_row_rejects_the_file_naming_row_and_column(
    example_data: Any, tmp_path: Path, column: str, value: str, expected: str
):
    """A hires file with one bad row is refused with its row and column; nothing is written."""
    rt = example_data
    rows = _rows(EXAMPLES / "hires.csv")
    for r in rows:
        r["hire_id"] = r["hire_id"].replace("2027", "2028")
    rows[0]["hire_id"] = "NH-2027-001" if value == "NH-2027-001" else rows[0]["hire_id"]
    rows[2][column] = value
    path = _write(tmp_path / "hires.csv", rows, HIRE_COLUMNS)
    before = (_count(rt, Hire), _count(rt, AuditEntry))
    with pytest.raises(ImportRejected) as err, rt.factory() as session, session.begin():
        import_hires(session, path, rt.configs)
    assert expected in str(err.value)
    assert (_count(rt, Hire), _count(rt, AuditEntry)) == before


def test_every_problem_of_a_file_is_listed_at_once(example_data: Any, tmp_path: Path):
    """Two bad rows give two lines, so the file can be fixed in one go."""
    rt = example_data
    rows = _rows(EXAMPLES / "hires.csv")
    rows[0]["hire_id"], rows[1]["hire_id"] = "NH-X-1", "NH-X-2"
    rows[0]["work_email"] = "geen-adres"
    rows[1]["contract_type"] = "vast"  # with 12 months: must be empty
    path = _write(tmp_path / "hires.csv", rows[:2], HIRE_COLUMNS)
    with pytest.raises(ImportRejected) as err, rt.factory() as session, session.begin():
        import_hires(session, path, rt.configs)
    assert len(err.value.problems) == 2
    assert err.value.problems[0].startswith("row 2, column 'work_email'")
    assert err.value.problems[1].startswith("row 3, column 'contract_months'")


def test_missing_and_unknown_columns_are_named(runtime: Any, tmp_path: Path):
    """A header without 'team' and with 'salary' is refused before any row is read."""
    columns = [c for c in HIRE_COLUMNS if c != "team"] + ["salary"]
    path = _write(tmp_path / "hires.csv", [], columns)
    with pytest.raises(ImportRejected) as err, runtime.factory() as session:
        import_hires(session, path, runtime.configs)
    assert "missing column(s): team" in str(err.value)
    assert "unknown column(s): salary" in str(err.value)


def test_a_changed_start_date_points_to_hire_move(example_data: Any, tmp_path: Path):
    """Re-importing a hire with another start date is refused with the right command."""
    rt = example_data
    rows = _rows(EXAMPLES / "hires.csv")
    rows[0]["start_date"] = "2027-03-01"
    path = _write(tmp_path / "hires.csv", rows, HIRE_COLUMNS)
    with pytest.raises(ImportRejected, match="poflow hire move"), rt.factory() as s, s.begin():
        import_hires(s, path, rt.configs)


def test_xlsx_files_import_like_csv(runtime: Any, tmp_path: Path):
    """The same staff as an .xlsx workbook imports the same people."""
    rows = _rows(EXAMPLES / "staff.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0].keys()))
    for r in rows:
        sheet.append(list(r.values()))
    path = tmp_path / "staff.xlsx"
    book.save(path)
    with runtime.factory() as session, session.begin():
        result = import_staff(session, path, runtime.configs)
    assert result.created == 11


def test_a_staff_row_with_an_unknown_role_is_refused(runtime: Any, tmp_path: Path):
    """An unknown role names the row, the column and the known roles."""
    rows = _rows(EXAMPLES / "staff.csv")
    rows[1]["roles"] = "po_adviseur;koning"
    path = _write(tmp_path / "staff.csv", rows, list(rows[0].keys()))
    with (
        pytest.raises(ImportRejected, match=r"row 3, column 'roles': unknown role 'koning'"),
        runtime.factory() as session,
        session.begin(),
    ):
        import_staff(session, path, runtime.configs)
    assert _count(runtime, Person) == 0


def test_x_5_the_smtputf8_setting_lets_a_non_ascii_local_part_in(
    example_data: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """With POFLOW_SMTPUTF8=true éva@example.org imports as written; an IDN domain is kept in
    ASCII form while the setting is off (no SMTPUTF8 needed to deliver it)."""
    from poflow.settings import get_settings

    rt = example_data
    rows = _rows(EXAMPLES / "hires.csv")[:2]
    rows[0]["private_email"] = "lotte@hendriks-bloemen.nl"
    rows[1]["private_email"] = "milan@exämple.org"
    path = _write(tmp_path / "hires.csv", rows, HIRE_COLUMNS)
    with rt.factory() as session, session.begin():
        import_hires(session, path, rt.configs)
    with rt.factory() as session:
        assert session.get(Hire, "NH-2027-002").private_email == "milan@xn--exmple-cua.org"
    rows[0]["private_email"] = "éva@example.org"
    path = _write(tmp_path / "hires.csv", rows, HIRE_COLUMNS)
    monkeypatch.setenv("POFLOW_SMTPUTF8", "true")
    get_settings.cache_clear()
    with rt.factory() as session, session.begin():
        import_hires(session, path, rt.configs)
    with rt.factory() as session:
        assert session.get(Hire, "NH-2027-001").private_email == "éva@example.org"


def test_x_2_a_staff_name_with_a_bidi_override_is_refused_by_row_and_column(
    runtime: Any, tmp_path: Path
):
    """A right-to-left override in a staff member's name is refused by row and column."""
    rows = _rows(EXAMPLES / "staff.csv")
    rows[2]["family_name"] = "de Wit\u202etxt.exe"
    path = _write(tmp_path / "staff.csv", rows, list(rows[0].keys()))
    with (
        pytest.raises(ImportRejected, match=r"row 4, column 'family_name': contains a bidi"),
        runtime.factory() as session,
        session.begin(),
    ):
        import_staff(session, path, runtime.configs)
    assert _count(runtime, Person) == 0
