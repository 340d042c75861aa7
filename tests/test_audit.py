"""Tests of the audit log: append-only in the application and in the database, sealed onto a
hash chain per municipality, verified, and its head published (X-4)."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from poflow import audit
from poflow._exceptions import AuditTamperError
from poflow.audit_chain import heads, seal
from poflow.audit_verify import verify_chains, verify_log
from poflow.db.models import AuditEntry, Outbox
from poflow.runtime import run_day
from tests.conftest import EXAMPLES, create_pg_database
from tests.db.test_dbcopy import use


def _one(rt: Any) -> int:
    with rt.factory() as session, session.begin():
        entry = audit.record(
            session,
            actor="HB-0002",
            action="hire.moved",
            entity_type="hire",
            entity_id="NH-1",
            municipality="hardenberg",
            version=2,
        )
        session.flush()
        return entry.id


def test_x_4_an_audit_row_records_who_what_when(runtime: Any):
    """A recorded row has actor, action, entity and a timezone-aware time."""
    entry_id = _one(runtime)
    with runtime.factory() as session:
        row = session.get(AuditEntry, entry_id)
        assert (row.actor, row.action, row.entity_id) == ("HB-0002", "hire.moved", "NH-1")
        assert row.at.tzinfo is not None
        assert row.detail == {"version": 2}


def test_x_4_the_application_refuses_to_change_an_audit_row(runtime: Any):
    """Changing or deleting a loaded audit row raises AuditTamperError."""
    entry_id = _one(runtime)
    with pytest.raises(AuditTamperError), runtime.factory() as session, session.begin():
        session.get(AuditEntry, entry_id).actor = "someone-else"
    with pytest.raises(AuditTamperError), runtime.factory() as session, session.begin():
        session.delete(session.get(AuditEntry, entry_id))


def test_x_4_the_database_refuses_update_and_delete_even_in_raw_sql(runtime: Any):
    """The database's own trigger refuses UPDATE and DELETE on the audit table."""
    entry_id = _one(runtime)
    for statement in (
        update(AuditEntry).values(actor="x"),
        delete(AuditEntry),
        text("UPDATE audit SET action = 'x'"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), runtime.factory() as s, s.begin():
            s.execute(statement)
    with runtime.factory() as session:
        assert session.get(AuditEntry, entry_id).actor == "HB-0002"


def test_x_4_audit_rows_written_from_a_query_equal_those_written_one_by_one(runtime: Any):
    """record_selected writes, per selected row, the row record() would write (ids, detail)."""
    with runtime.factory() as session, session.begin():
        audit.record(
            session,
            actor="system",
            action="hire.seen",
            entity_type="hire",
            entity_id="NH-1",
            municipality="hardenberg",
            version=2,
            kind="vast",
        )
        session.flush()
        audit.record_selected(
            session,
            select(
                AuditEntry.entity_id,
                AuditEntry.municipality,
                AuditEntry.id.label("version"),
                AuditEntry.actor.label("kind"),
            ).where(AuditEntry.action == "hire.seen"),
            actor="system",
            action="hire.copied",
            entity_type="hire",
        )
    with runtime.factory() as session:
        one, copied = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert (
        copied.actor,
        copied.action,
        copied.entity_type,
        copied.entity_id,
        copied.municipality,
    ) == ("system", "hire.copied", "hire", "NH-1", "hardenberg")
    assert copied.detail == {"version": one.id, "kind": "system"}
    assert copied.at.tzinfo is not None
    assert copied.at >= one.at


# -- the hash chain: sealed on the dispatcher day, verified, published ------------------
HB = "hardenberg"


def _unsealed(rt: Any) -> int:
    with rt.factory() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None))
        )


def test_x_4_a_simulated_day_seals_every_row_and_verify_passes(example_data: Any):
    """After a dispatcher day every audit row is sealed, each chain is numbered 1..n in id
    order of its rows, and verify finds nothing."""
    rt = example_data
    run_day(rt, date(2027, 1, 25))
    assert _unsealed(rt) == 0
    with rt.factory() as session:
        rows = session.execute(
            select(AuditEntry.municipality, AuditEntry.seq).order_by(AuditEntry.id)
        ).all()
        known = heads(session)
    per_chain: dict[str | None, list[int]] = {}
    for municipality, seq in rows:
        per_chain.setdefault(municipality, []).append(seq)
    assert len(rows) > 100
    assert {m: list(range(1, len(s) + 1)) for m, s in per_chain.items()} == per_chain
    assert {m: h.seq for m, h in known.items()} == {m: len(s) for m, s in per_chain.items()}
    verdict = verify_log(rt.factory)
    assert verdict.problems == []
    assert verdict.facts.approvals == 0
    assert verdict.facts.people > 10


def test_x_4_the_trigger_lets_through_only_the_sealing_of_an_unsealed_row(runtime: Any):
    """Once sealed, seq and hash cannot change; sealing cannot change the content either."""
    entry_id = _one(runtime)
    with pytest.raises(DBAPIError, match="append-only"), runtime.factory() as s, s.begin():
        s.execute(update(AuditEntry).values(seq=1, hash="0" * 64, actor="x"))
    seal(runtime.factory)
    for values in ({"seq": 2}, {"hash": "1" * 64}, {"seq": None, "hash": None}):
        with pytest.raises(DBAPIError, match="append-only"), runtime.factory() as s, s.begin():
            s.execute(update(AuditEntry).where(AuditEntry.id == entry_id).values(**values))
    with runtime.factory() as session:
        assert session.get(AuditEntry, entry_id).seq == 1


def test_x_4_concurrent_writers_and_sealers_make_one_consistent_chain(runtime: Any):
    """Four writers inserting in bulk while two sealers seal: every row is sealed once, each
    chain numbered without gaps, and verify finds nothing."""
    rt = runtime
    chains = (HB, "borger-odoorn", None)
    stop = threading.Event()
    failures: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for b in range(12):
                with rt.factory() as session, session.begin():
                    audit.record_many(
                        session,
                        actor="system",
                        entries=[
                            (chains[i % 3], "action.done", "action", f"{w}-{b}-{i}", {"n": i})
                            for i in range(40)
                        ],
                    )
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            failures.append(exc)

    def keep_sealing() -> None:
        try:
            while not stop.is_set():
                seal(rt.factory)
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            failures.append(exc)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    sealers = [threading.Thread(target=keep_sealing) for _ in range(2)]
    for thread in [*sealers, *writers]:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in sealers:
        thread.join()
    assert failures == []
    seal(rt.factory)
    assert _unsealed(rt) == 0
    with rt.factory() as session:
        counts = dict(
            session.execute(
                select(AuditEntry.municipality, func.count()).group_by(AuditEntry.municipality)
            ).all()
        )
        known = heads(session)
    assert sum(counts.values()) == 4 * 12 * 40
    assert {m: h.seq for m, h in known.items()} == counts
    assert [r.findings for r in verify_chains(rt.factory)] == [[], [], []]


def test_x_4_poflow_audit_verify_exits_1_naming_the_changed_row(example_data: Any):
    """The CLI says the log is intact (exit 0); after a sealed row is changed past the trigger
    it names that row and exits with status 1."""
    from typer.testing import CliRunner

    from poflow.cli import app

    rt = example_data
    runner = CliRunner()
    clean = runner.invoke(app, ["audit", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "The audit log is intact." in clean.output
    assert f"{HB}: " in clean.output
    with rt.factory() as session:
        target = session.scalar(
            select(AuditEntry.id).where(AuditEntry.municipality == HB, AuditEntry.seq == 3)
        )
    with rt.factory() as session, session.begin():
        if rt.settings.resolved_database_url().startswith("sqlite"):
            session.execute(text("DROP TRIGGER audit_no_update"))
        else:
            session.execute(text("ALTER TABLE audit DISABLE TRIGGER ALL"))
        session.execute(text("UPDATE audit SET actor = 'HB-0099' WHERE id = :id"), {"id": target})
    broken = runner.invoke(app, ["audit", "verify", "--municipality", HB])
    assert broken.exit_code == 1
    assert f"{HB}: audit row {target} (regel 3) changed" in broken.output
    assert "does not fit: 1 finding(s)" in broken.output
    bad = runner.invoke(app, ["audit", "verify", "--anchor", "hardenberg:x"])
    assert bad.exit_code == 1
    assert "SLUG:REGEL:HEX" in bad.output


def test_x_4_a_mail_to_the_po_mailbox_carries_the_chain_head(example_data: Any):
    """P&O's mail ends with "Controlegetal auditlog: <16 hex> (regel n)" of the sealed head; a
    mail to a person does not."""
    rt = example_data
    seal(rt.factory)
    with rt.factory() as session, session.begin():
        head = heads(session)[HB]
        ctx = rt.context(session, HB, date(2027, 1, 4))
        for key, to in (
            ("po", ctx.po_recipient()),
            ("person", ctx.recipient(ctx.person("HB-0002"))),
        ):
            ctx.mail(
                key=f"footer-test:{key}",
                template="dispatcher_mislukt",
                to=to,
                context={"run_id": "r-1", "dag": date(2027, 1, 4), "fout": "test"},
                case_type="run",
                case_id="r-1",
            )
    with rt.factory() as session:
        mails = {
            o.key.split(":")[1]: o
            for o in session.scalars(select(Outbox).where(Outbox.key.startswith("footer-test:")))
        }
    line = f"Controlegetal auditlog: {head.hash[:16]} (regel {head.seq})"
    assert mails["po"].body_text.rstrip().endswith(line)
    assert line in mails["po"].body_html
    assert "Controlegetal" not in mails["person"].body_text + mails["person"].body_html


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_x_4_the_dispatcher_seals_and_publishes_each_head_as_an_artifact(
    example_data: Any, prefect_harness: None
):
    """A dispatcher run seals the day's rows and publishes the head of each chain it moved in
    a Prefect artifact holding the place and hash only."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from poflow.flows.dispatcher import dispatcher

    rt = example_data
    summary = dispatcher(day=date(2027, 1, 4), municipality=HB)
    assert _unsealed(rt) == 0
    with rt.factory() as session:
        head = heads(session)[HB]
    assert summary["audit"][HB]["regel"] == head.seq
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["auditlog-hardenberg"]))
        )
    latest = max(found, key=lambda a: a.created)
    assert f"regel {head.seq} (audit-id {head.audit_id})" in latest.data
    assert head.hash in latest.data
    assert "@" not in latest.data + (latest.description or "")


@pytest.fixture
def sealed_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str, smtp: Any
) -> Any:
    """A SQLite installation with the example staff and hires after its first day, sealed."""
    from poflow.importer import import_hires, import_staff

    rt = use(monkeypatch, sqlite_url, tmp_path / "data", smtp)
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)
    run_day(rt, date(2027, 1, 4))
    return rt


@pytest.mark.postgres
def test_x_4_a_database_copied_to_postgresql_keeps_its_chains(
    sealed_sqlite: Any, pg_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp: Any
):
    """`poflow db copy` from SQLite to PostgreSQL keeps every hash: the copy verifies, with the
    same heads."""
    from typer.testing import CliRunner

    from poflow.cli import app

    with sealed_sqlite.factory() as session:
        source = heads(session)
    assert source[HB].seq > 10
    target = create_pg_database(pg_server)
    copied = CliRunner().invoke(app, ["db", "copy", "--to", target])
    assert copied.exit_code == 0, copied.output
    rt = use(monkeypatch, target, tmp_path / "data", smtp)
    assert verify_log(rt.factory).problems == []
    with rt.factory() as session:
        assert heads(session) == source
