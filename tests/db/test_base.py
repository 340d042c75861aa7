"""Tests of the shared database helpers (poflow.db.base)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from poflow.audit import AuditEntry
from poflow.db.base import insert_rows
from poflow.db.models import Action, Step
from poflow.onboarding.models import OnboardingNotice
from poflow.onboarding.rules import Level
from poflow.states import ActionState


def _audit_rows(tag: str) -> list[dict[str, Any]]:
    return [
        {
            "actor": "system",
            "municipality": "hardenberg",
            "action": tag,
            "entity_type": "action",
            "entity_id": str(i),
            "detail": {"kind": "onb.remind", "items": [i, None], "note": None},
        }
        for i in range(3)
    ]


def _read(rt: Any, tag: str) -> list[tuple[Any, ...]]:
    with rt.factory() as session:
        return [
            (e.actor, e.municipality, e.entity_type, e.entity_id, e.detail, e.at is not None)
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == tag).order_by(AuditEntry.id)
            )
        ]


def test_insert_rows_writes_the_rows_an_insert_writes(runtime: Any):
    """JSON, defaults and text come back the same as from an INSERT of the same rows."""
    before = datetime.now(UTC) - timedelta(seconds=1)
    with runtime.factory() as session, session.begin():
        session.execute(insert(AuditEntry.__table__), _audit_rows("by-insert"))
        insert_rows(session, AuditEntry.__table__, _audit_rows("by-insert-rows"))
    assert _read(runtime, "by-insert-rows") == _read(runtime, "by-insert")
    assert len(_read(runtime, "by-insert-rows")) == 3
    with runtime.factory() as session:
        stamped = session.scalars(
            select(AuditEntry.at).where(AuditEntry.action == "by-insert-rows")
        ).all()
    assert all(stamp.tzinfo is not None and stamp >= before for stamp in stamped)


def test_insert_rows_takes_enums_and_dates_as_values(runtime: Any):
    """An enum member is stored as its value and a date as that date (a notice's level, day)."""
    with runtime.factory() as session, session.begin():
        action = Action(
            municipality="hardenberg",
            case_type="hire",
            case_id="NH-1",
            kind="onb.remind",
            key="k-insert-rows",
            due_date=date(2027, 1, 11),
            state=ActionState.PENDING,
        )
        session.add(action)
        session.flush()
        step = Step(
            municipality="hardenberg",
            case_type="hire",
            case_id="NH-1",
            process="onboarding",
            key="onb:laptop",
            title="Laptop",
            due_date=date(2027, 1, 11),
        )
        session.add(step)
        session.flush()
        insert_rows(
            session,
            OnboardingNotice.__table__,
            [
                {
                    "municipality": "hardenberg",
                    "action_id": action.id,
                    "step_id": step.id,
                    "hire_id": "NH-1",
                    "level": Level.ESCALATE_PO,
                    "recipient_key": "po",
                    "day": date(2027, 1, 11),
                    "digest_key": None,
                }
            ],
        )
    with runtime.factory() as session:
        notice = session.scalars(select(OnboardingNotice)).one()
    assert (notice.level, notice.day, notice.digest_key) == (
        Level.ESCALATE_PO,
        date(2027, 1, 11),
        None,
    )


def test_insert_rows_refuses_a_bad_row_as_an_insert_does_and_writes_none(runtime: Any):
    """A row missing a required value raises IntegrityError and no row of the call stays."""
    rows = _audit_rows("half-bad")
    rows[2]["actor"] = None
    with pytest.raises(IntegrityError), runtime.factory() as session, session.begin():
        insert_rows(session, AuditEntry.__table__, rows)
    assert _read(runtime, "half-bad") == []
