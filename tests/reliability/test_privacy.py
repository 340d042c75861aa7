"""Privacy scan (X-3): after a simulated year, no name, address or note is in Prefect or the logs.

The year (year_support.py) runs the example data through the real Prefect flows and the
link pages. Then every text value of every row Prefect stored since the year began (flow and
task runs with their names, parameters and state messages, logs, artifacts, events, variables)
and every line the `poflow` loggers wrote is searched for every given name, family name, full
name and email address of the example people, and for the confidential notes written.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.reliability.support import record
from tests.reliability.year_support import COVERAGE, NOTE, simulated_year

pytestmark = pytest.mark.usefixtures("prefect_harness")


def personal_strings() -> list[str]:
    """Every name, full name, address and note of the example people (all fictional)."""
    found: set[str] = {NOTE, "mantelzorg", "Lotte Hendriks past goed"}
    for name, mail_cols in (
        ("staff.csv", ("email",)),
        ("hires.csv", ("private_email", "work_email")),
    ):
        with (EXAMPLES / name).open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found |= {
                    row["given_name"],
                    row["family_name"],
                    f"{row['given_name']} {row['family_name']}",
                }
                for col in mail_cols:
                    found |= {row[col], row[col].split("@")[0]}
    return sorted(s for s in found if s)


def _pattern(strings: list[str]) -> re.Pattern[str]:
    ordered = sorted(strings, key=len, reverse=True)  # the full name before the given name
    return re.compile("|".join(rf"(?<![\w.]){re.escape(s)}(?![\w])" for s in ordered))


def _created(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.now().astimezone().tzinfo)


def scan_prefect(db_url: str, since: datetime, pattern: re.Pattern[str]) -> tuple[int, list[str]]:
    """(rows scanned, hits as 'table.column: match') over every table of Prefect's database."""
    path = db_url.split("///", 1)[1]
    assert Path(path).is_file(), f"Prefect's database is not a file here: {db_url}"
    rows_seen, hits = 0, []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                values = dict(zip(columns, row, strict=True))
                created = _created(values.get("created"))
                if created is not None and created < since:
                    continue
                rows_seen += 1
                for col, value in values.items():
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="ignore")
                    if isinstance(value, str) and (m := pattern.search(value)):
                        hits.append(f"{table}.{col}: {m.group(0)}")
    return rows_seen, hits


def test_x_3_a_simulated_year_leaves_no_personal_data_in_prefect_or_the_logs(
    tmp_path_factory: pytest.TempPathFactory,
):
    """Prefect's database and poflow's log lines hold 0 names, addresses or notes after a year."""
    year = simulated_year(tmp_path_factory.getbasetemp())
    strings = personal_strings()
    pattern = _pattern(strings)
    rows, prefect_hits = scan_prefect(year.prefect_db, year.started, pattern)
    log_hits = [f"log: {m.group(0)}" for line in year.log_lines if (m := pattern.search(line))]
    record(
        "privacy",
        strings=len(strings),
        prefect_rows=rows,
        log_lines=len(year.log_lines),
        hits=len(prefect_hits) + len(log_hits),
        where=sorted(set(prefect_hits + log_hits)),
        mails=year.mails,
        coverage=COVERAGE,
    )
    assert rows > 100
    assert year.mails > 200
    assert prefect_hits == []
    assert log_hits == []


def test_x_3_the_scan_would_find_a_leaked_name(tmp_path: Path):
    """The scanner itself finds a name put where Prefect keeps run parameters (self-check)."""
    db = tmp_path / "prefect.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE flow_run (created TEXT, parameters TEXT)")
        conn.execute(
            "INSERT INTO flow_run VALUES ('2099-01-01 00:00:00+00:00', "
            '\'{"who": "Lotte Hendriks"}\')'
        )
    _rows, hits = scan_prefect(
        f"sqlite+aiosqlite:///{db}",
        datetime.fromisoformat("2000-01-01T00:00:00+00:00"),
        _pattern(personal_strings()),
    )
    assert "flow_run.parameters: Lotte Hendriks" in hits


def _poflow_text(rt: Any, pattern: re.Pattern[str]) -> list[str]:
    """Every match of `pattern` in any text value of any poflow table."""
    from sqlalchemy import text

    from poflow.db.base import Base

    hits = []
    with rt.factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(text(f'SELECT * FROM "{table.name}"')).mappings():
                for col, value in row.items():
                    if value is not None and (m := pattern.search(str(value))):
                        hits.append(f"{table.name}.{col}: {m.group(0)}")
    return hits


def test_x_3_the_retention_purge_leaves_only_anonymous_counts(hardenberg: Any, smtp: Any):
    """Rejected candidates vanish after 4 weeks (consent: 1 year); only counts per tier stay."""
    from datetime import date, timedelta

    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL
    from sqlalchemy import select

    from poflow.flows.recruitment import recruitment_retention
    from poflow.recruitment import rounds
    from poflow.recruitment.models import Candidate, RecruitmentRound, RoundTally
    from tests.recruitment.support import D0, PO, apply, open_round, publish, run

    rt = hardenberg
    started = datetime.now().astimezone()
    round_id = open_round(rt, formation_change=False)
    publish(rt, smtp, round_id)
    apply(rt, round_id, "Quirine", 2, D0 + timedelta(days=1))
    apply(rt, round_id, "Rutger", 2, D0 + timedelta(days=1), consent_retention=True)
    run(rt, D0 + timedelta(days=20), rounds.cancel_round, round_id, by=PO, actor=PO)
    with rt.factory() as session:
        closed = session.get(RecruitmentRound, round_id).closed_on
    pattern = _pattern(
        ["Quirine", "Rutger", "Testpersoon", "quirine@example.org", "rutger@example.org"]
    )
    assert _poflow_text(rt, pattern)  # the candidates are there before the purge

    early = recruitment_retention(day=closed + timedelta(weeks=4), municipality="hardenberg")[
        "hardenberg"
    ]
    with rt.factory() as session:
        left = session.scalars(select(Candidate.given_name)).all()
    late = recruitment_retention(
        day=date(closed.year + 1, closed.month, closed.day) + timedelta(days=3),
        municipality="hardenberg",
    )["hardenberg"]
    hits = _poflow_text(rt, pattern)
    hits += scan_prefect(str(PREFECT_API_DATABASE_CONNECTION_URL.value()), started, pattern)[1]
    with rt.factory() as session:
        tallies = session.execute(
            select(RoundTally.tier, RoundTally.outcome, RoundTally.count)
        ).all()
    record(
        "retention",
        hits=len(hits),
        note=(
            f"2 rejected candidates of a cancelled round: {early['candidates']} removed 4 weeks "
            f"after closing, {late['candidates']} (with consent) after a year; afterwards "
            f"{len(hits)} personal strings in any poflow table or in Prefect, and the anonymous "
            "counts "
            f"{[tuple(t) for t in tallies]} (tier, outcome, count) remain."
        ),
    )
    assert (early["candidates"], left, late["candidates"]) == (1, ["Rutger"], 1)
    assert hits == []
    assert sum(t.count for t in tallies) == 2
