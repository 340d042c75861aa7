"""Tamper scenarios (X-4): whoever owns the database gets past the append-only triggers (drops
them on SQLite, disables them as the application's own role on PostgreSQL) and changes the
audit log or the approvals behind it; `poflow audit verify` finds each change and names the
row. Each scenario is recorded for the reliability report (kind "tamper").

The day before the tampering is real: the example staff and hires imported, a dispatcher day
performed and sealed, one four-eyes decision by two people recorded through the application.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from poflow import audit
from poflow.approvals.decisions import record_decision
from poflow.audit_chain import AUDIT, COLUMNS, head_of, row_of, seal
from poflow.audit_verify import verify_log
from poflow.db.session import session_factory
from poflow.kernel.auditchain import GENESIS, Anchor, row_hash
from tests.reliability.support import record
from tests.reliability.year_support import copy_of, simulated_year

HB = "hardenberg"
DAY = date(2027, 1, 4)


def _db(rt: Any) -> str:
    return "sqlite" if rt.settings.resolved_database_url().startswith("sqlite") else "postgres"


@pytest.fixture
def sealed_day(example_data: Any) -> Any:
    """A dispatcher day and a four-eyes decision, all sealed; verify finds nothing yet."""
    from poflow.runtime import run_day

    rt = example_data
    run_day(rt, DAY, send=False)
    with rt.factory() as session, session.begin():
        for person, role in (("HB-0004", "leidinggevende"), ("HB-0002", "po_adviseur")):
            record_decision(
                session,
                municipality=HB,
                subject_type="terms",
                subject_id="T-1:1",
                required_roles=("leidinggevende", "po_adviseur"),
                role=role,
                person_id=person,
                approve=True,
            )
    assert verify_log(rt.factory).problems == []
    return rt


@contextmanager
def _without_triggers(rt: Any) -> Iterator[Session]:
    """A transaction in which the audit table's triggers do not stand in the way, as the
    application's own database user: dropped (SQLite) or disabled and enabled again after."""
    with rt.factory() as session, session.begin():
        if _db(rt) == "sqlite":
            session.execute(text("DROP TRIGGER IF EXISTS audit_no_update"))
            session.execute(text("DROP TRIGGER IF EXISTS audit_no_delete"))
        else:
            session.execute(text("ALTER TABLE audit DISABLE TRIGGER ALL"))
        yield session
        if _db(rt) == "postgres":
            session.execute(text("ALTER TABLE audit ENABLE TRIGGER ALL"))


def _row_at(rt: Any, seq: int) -> Any:
    with rt.factory() as session:
        return session.execute(
            select(*COLUMNS).where(AUDIT.c.municipality == HB, AUDIT.c.seq == seq)
        ).one()


def _middle(rt: Any) -> Any:
    with rt.factory() as session:
        head = head_of(session, HB)
    assert head is not None
    assert head.seq > 10
    return _row_at(rt, head.seq // 2)


def _outcome(rt: Any, scenario: str, expect: str, anchors: tuple[Anchor, ...] = ()) -> list[str]:
    """Run verify, record the scenario, and return what it found."""
    problems = verify_log(rt.factory, anchors=anchors).problems
    named = problems[0] if problems else ""
    record(
        "tamper",
        scenario=scenario,
        db=_db(rt),
        detected=bool(problems),
        named=expect in named,
        says=named,
    )
    return problems


def test_x_4_an_update_of_a_sealed_row_without_the_trigger_is_named(sealed_day: Any):
    """A sealed row updated past the trigger is named as changed by its id and place."""
    rt = sealed_day
    row = _middle(rt)
    with _without_triggers(rt) as session:
        session.execute(text("UPDATE audit SET actor = 'HB-0099' WHERE id = :id"), {"id": row.id})
    problems = _outcome(rt, "trigger off, UPDATE a sealed row", f"audit row {row.id} ")
    assert problems[0].startswith(f"{HB}: audit row {row.id} (regel {row.seq}) changed")


def test_x_4_an_update_that_also_rewrites_the_rows_hash_is_named(sealed_day: Any):
    """A row changed together with a recomputed hash of its own breaks the next row's hash:
    verify names that row and the changed one before it."""
    rt = sealed_day
    row = row_of(_middle(rt))
    before = row_of(_row_at(rt, row.seq - 1))
    forged = row_hash(dataclasses.replace(row, actor="HB-0099"), row.seq, before.hash)
    with _without_triggers(rt) as session:
        session.execute(
            text("UPDATE audit SET actor = 'HB-0099', hash = :h WHERE id = :id"),
            {"h": forged, "id": row.id},
        )
    problems = _outcome(rt, "trigger off, UPDATE a row and its hash", f"audit row {row.id} ")
    assert "changed" in problems[0]
    assert f"the hash of audit row {row.id} before it" in problems[0]


def test_x_4_a_deleted_row_is_named_by_its_place(sealed_day: Any):
    """A sealed row deleted past the trigger leaves a gap verify names (regel, neighbours)."""
    rt = sealed_day
    row = _middle(rt)
    with _without_triggers(rt) as session:
        session.execute(text("DELETE FROM audit WHERE id = :id"), {"id": row.id})
    problems = _outcome(rt, "trigger off, DELETE a sealed row", f"regel {row.seq} after")
    assert f"regel {row.seq} after audit row" in problems[0]
    assert "deleted" in problems[0]


def test_x_4_deleting_the_last_rows_is_named_by_the_head(sealed_day: Any):
    """The newest sealed row deleted is named from the chain's head (its id and place)."""
    rt = sealed_day
    with rt.factory() as session:
        head = head_of(session, HB)
    assert head is not None
    with _without_triggers(rt) as session:
        session.execute(text("DELETE FROM audit WHERE id = :id"), {"id": head.audit_id})
    problems = _outcome(rt, "trigger off, DELETE the newest row", f"audit row {head.audit_id} ")
    assert "end of the chain is gone" in problems[0]


def test_x_4_a_back_dated_insert_is_sealed_and_named(sealed_day: Any):
    """A row inserted with a time months back (no trigger needed) is named as back-dated."""
    rt = sealed_day
    with rt.factory() as session, session.begin():
        new_id = session.execute(
            insert(AUDIT)
            .values(
                at=datetime(2026, 6, 1, 9, tzinfo=UTC),
                municipality=HB,
                actor="HB-0002",
                action="hire.moved",
                entity_type="hire",
                entity_id="NH-2027-001",
                detail={},
            )
            .returning(AUDIT.c.id)
        ).scalar_one()
    problems = _outcome(rt, "INSERT a back-dated row", f"audit row {new_id} ")
    assert "inserted back-dated" in problems[0]


def test_x_4_a_row_inserted_with_a_forged_place_is_named(sealed_day: Any):
    """A row inserted already "sealed" at a place that is taken is named as inserted."""
    rt = sealed_day
    row = _middle(rt)
    with rt.factory() as session, session.begin():
        session.execute(text("DROP INDEX IF EXISTS ix_audit_chain"))
        new_id = session.execute(
            insert(AUDIT)
            .values(
                at=row.at,
                municipality=HB,
                actor="HB-0002",
                action="approval.approved",
                entity_type="terms",
                entity_id="T-9:1",
                detail={},
                seq=row.seq,
                hash="0" * 64,
            )
            .returning(AUDIT.c.id)
        ).scalar_one()
    problems = _outcome(rt, "INSERT a row at a sealed place", f"audit row {new_id} ")
    assert f"regel {row.seq} is taken twice" in problems[0]


def test_x_4_an_approval_changed_directly_is_named(sealed_day: Any):
    """`UPDATE approval SET approve = ...` (no trigger involved) is named by the approval id."""
    rt = sealed_day
    with rt.factory() as session, session.begin():
        approval_id = session.execute(
            text("SELECT id FROM approval WHERE person_id = 'HB-0002'")
        ).scalar_one()
        session.execute(
            text("UPDATE approval SET approve = NOT approve WHERE id = :id"), {"id": approval_id}
        )
    problems = _outcome(rt, "UPDATE approval SET approve directly", f"approval {approval_id} ")
    assert "approve=no" in problems[0]
    assert "approve=yes (audit row" in problems[0]


def test_x_4_a_role_granted_directly_is_named(sealed_day: Any):
    """A role inserted into person_role without the importer is named by the person."""
    rt = sealed_day
    with rt.factory() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO person_role (person_id, municipality, role) "
                "VALUES ('HB-0005', 'hardenberg', 'po_adviseur')"
            )
        )
    problems = _outcome(rt, "INSERT person_role directly", "person HB-0005 ")
    assert "holds roles medewerker;po_adviseur" in problems[0]


def test_x_4_a_chain_rewritten_with_its_head_is_caught_by_the_published_head(sealed_day: Any):
    """Rewriting a row, every later hash and the head leaves the database consistent; the head
    published before (artifact, P&O mail) no longer matches, and verify names its place."""
    rt = sealed_day
    row = _middle(rt)
    with rt.factory() as session:
        head = head_of(session, HB)
    assert head is not None
    published = Anchor(HB, head.seq, head.hash[:16])
    with _without_triggers(rt) as session:
        session.execute(text("UPDATE audit SET actor = 'HB-0099' WHERE id = :id"), {"id": row.id})
        previous, last = GENESIS, None
        chain = session.execute(
            select(*COLUMNS).where(AUDIT.c.municipality == HB).order_by(AUDIT.c.seq)
        ).all()
        for raw in chain:
            last = row_of(raw)
            previous = row_hash(last, raw.seq, previous)
            session.execute(
                text("UPDATE audit SET hash = :h WHERE id = :id"), {"h": previous, "id": raw.id}
            )
        session.execute(
            text("UPDATE audit_chain SET hash = :h WHERE municipality = :m"),
            {"h": previous, "m": HB},
        )
    assert verify_log(rt.factory).problems == []  # the database alone cannot tell
    problems = _outcome(
        rt, "rewrite a row, the later hashes and the head", f"regel {head.seq})", (published,)
    )
    assert "does not match the published head" in problems[0]


def test_x_4_sealing_a_national_peak_days_12000_rows_is_quick(runtime: Any):
    """12,000 audit rows of 342 municipalities, written in batches of 500 as the engine writes
    them, are sealed in one pass of well under the day's own 3 s, and verify passes."""
    rt = runtime
    started = time.perf_counter()
    for batch in range(24):
        with rt.factory() as session, session.begin():
            audit.record_many(
                session,
                actor="system",
                entries=[
                    (f"m{(batch * 500 + i) % 342:03d}", "action.done", "action", f"A-{i}", {"n": i})
                    for i in range(500)
                ],
            )
    written = time.perf_counter() - started
    started = time.perf_counter()
    reports = seal(rt.factory)
    sealing = time.perf_counter() - started
    started = time.perf_counter()
    problems = verify_log(rt.factory).problems
    verifying = time.perf_counter() - started
    record(
        "audit_seal",
        db=_db(rt),
        rows=sum(r.sealed for r in reports),
        chains=len(reports),
        write_s=round(written, 3),
        seal_s=round(sealing, 3),
        verify_s=round(verifying, 3),
    )
    assert sum(r.sealed for r in reports) == 12_000
    assert len(reports) == 342
    assert problems == []
    assert sealing < 3.0


def test_x_4_the_simulated_years_audit_log_is_sealed_and_verifies(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, prefect_harness: None
):
    """After a year of normal use (flows, run_day, link pages, four-eyes, imports) the audit
    log is sealed day by day and verify finds nothing: no false alarm."""
    year = simulated_year(tmp_path_factory.getbasetemp())
    factory = session_factory(f"sqlite:///{copy_of(year, tmp_path / 'year.db')}")
    with factory() as session:
        rows = session.scalar(select(func.count()).select_from(AUDIT))
        unsealed = session.scalar(
            select(func.count()).select_from(AUDIT).where(AUDIT.c.seq.is_(None))
        )
    verdict = verify_log(factory)
    record(
        "audit_chain",
        rows=rows,
        unsealed_at_year_end=unsealed,
        chains=len(verdict.chains),
        approvals=verdict.facts.approvals,
        people=verdict.facts.people,
        problems=len(verdict.problems),
    )
    assert rows > 500
    assert verdict.facts.approvals >= 2
    assert verdict.problems == []
