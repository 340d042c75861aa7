"""The coach's CSV import (LBC-1/2): all rows or none, one line per bad row and column."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from poflow._exceptions import ImportRejected
from poflow.coaching.importer import COLUMNS, import_registrations
from poflow.coaching.models import CoachingRegistration
from poflow.coaching.render import render_tsv
from poflow.coaching.rules import target_for
from poflow.coaching.status import load_records, report_for
from poflow.config import load_all
from poflow.db.models import Outbox
from poflow.db.session import session_factory
from poflow.importer import import_staff
from poflow.runtime import config_sections
from tests.coaching.support import SEED, seed_tables, write_seed_csv
from tests.conftest import EXAMPLES, ROOT

TODAY = date(2021, 1, 15)


@pytest.fixture
def configs() -> dict:
    """Every shipped municipality configuration."""
    return load_all(ROOT / "config", config_sections())


def _staffed(url: str, configs: dict) -> sessionmaker[Session]:
    factory = session_factory(url)
    with factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", configs)
    return factory


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=COLUMNS)
        out.writeheader()
        for row in rows:
            out.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


GOOD = {
    "municipality": "hardenberg",
    "ref": "2021-001",
    "coach_id": "HB-0008",
    "employee_name": "Fictief Persoon",
    "registered_on": "2021-01-04",
    "domain": "Ruimtelijk domein",
    "reason": "1",
    "source": "mond_op_mond",
    "goal1": "lopend",
    "state": "in traject",
    "manager_consent": "nee",
}


@pytest.mark.skipif(not SEED.is_file(), reason="seed 004 is not next to the project")
def test_lbc_2_imported_seed_records_reproduce_the_seed_tables(
    db_url: str,
    configs: dict,
    tmp_path: Path,
) -> None:
    """The seed's 63 registrations, imported from CSV, give seed 004's two tables exactly."""
    factory = _staffed(db_url, configs)
    with factory() as session, session.begin():
        result = import_registrations(
            session, write_seed_csv(tmp_path / "lbc.csv"), configs, today=TODAY
        )
    assert (result.created, result.updated, result.unchanged) == (63, 0, 0)
    with factory() as session:
        report = report_for(session, configs["hardenberg"], year=2020, as_of=TODAY)
        counts = {2019: 13, 2020: 50}
        assert {
            y: sum(r.registered_on.year == y for r in load_records(session, "hardenberg"))
            for y in counts
        } == counts
    assert [line.rstrip() for line in render_tsv(report).splitlines()] == seed_tables()
    assert report.next_target is not None
    assert report.next_target.value == 60
    computed = target_for(2021, counts=counts, growth_percent=20, fixed={}, first_report_year=2020)
    assert computed is not None
    assert computed.value == 60


def test_lbc_1_bad_rows_are_named_by_row_and_column_and_nothing_is_written(
    sqlite_url: str,
    configs: dict,
    tmp_path: Path,
) -> None:
    """A file with bad rows is rejected whole; each problem names its row and column."""
    factory = _staffed(sqlite_url, configs)
    rows = [
        GOOD,
        {**GOOD, "ref": "2021-002", "domain": "Sterrenkunde"},
        {**GOOD, "ref": "2021-003", "goal1": "", "goal2": "behaald"},
        {**GOOD, "ref": "2021-004", "state": "gestopt", "ended_on": "2021-01-05"},
        {**GOOD, "ref": "2021-005", "coach_id": "HB-0004"},
        {**GOOD, "ref": "2021-006", "registered_on": "2031-01-01"},
        {**GOOD, "ref": "2021-001", "manager_consent": "misschien"},
    ]
    with pytest.raises(ImportRejected) as caught, factory() as session, session.begin():
        import_registrations(session, _write(tmp_path / "bad.csv", rows), configs, today=TODAY)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 3, column 'domain'",
        "row 4, column 'goal2'",
        "row 5, column 'end_reason'",
        "row 6, column 'coach_id'",
        "row 7, column 'registered_on'",
        "row 8, column 'manager_consent'",
        "row 8, column 'ref'",
    ]
    assert "does not have the role loopbaancoach" in problems[3]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(CoachingRegistration)) == 0


def test_lbc_1_reimport_changes_nothing_and_a_changed_row_updates(
    sqlite_url: str,
    configs: dict,
    tmp_path: Path,
) -> None:
    """Importing the same file twice changes nothing; a changed goal updates that record only."""
    factory = _staffed(sqlite_url, configs)
    file = _write(tmp_path / "one.csv", [GOOD, {**GOOD, "ref": "2021-002"}])
    results = []
    for _ in range(2):
        with factory() as session, session.begin():
            results.append(import_registrations(session, file, configs, today=TODAY))
    _write(file, [{**GOOD, "goal1": "behaald"}, {**GOOD, "ref": "2021-002"}])
    with factory() as session, session.begin():
        results.append(import_registrations(session, file, configs, today=TODAY))
    assert [(r.created, r.updated, r.unchanged) for r in results] == [
        (2, 0, 0),
        (0, 0, 2),
        (0, 1, 1),
    ]


def test_lbc_3_an_import_never_mails_the_leidinggevende(
    sqlite_url: str,
    configs: dict,
    tmp_path: Path,
) -> None:
    """Imported history with consent queues no mail: the manager is told only on a live change."""
    factory = _staffed(sqlite_url, configs)
    file = _write(tmp_path / "c.csv", [{**GOOD, "manager_id": "HB-0004", "manager_consent": "ja"}])
    with factory() as session, session.begin():
        import_registrations(session, file, configs, today=TODAY)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0
