"""Tests of the audit log: append-only in the application and in the database (X-4)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from poflow import audit
from poflow._exceptions import AuditTamperError
from poflow.db.models import AuditEntry


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
