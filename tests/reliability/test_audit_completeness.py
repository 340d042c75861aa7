"""Audit completeness (X-4): every state change and approval of a simulated year is audited,
and the application cannot update or delete an audit row (tests/test_audit.py has the basics).

While the year runs (year_support.py) every committed transaction that created or changed
a state column (state, status, outcome) of any table, or bulk-updated or deleted rows, is
checked for an audit row in the same transaction. Mail delivery (outbox) records itself.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from poflow._exceptions import AuditTamperError
from poflow.approvals.models import Approval
from poflow.db.models import AuditEntry
from tests.reliability.support import record
from tests.reliability.year_support import copy_of, simulated_year

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def year_db(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Any:
    """A private copy of the simulated year's database, and the year."""
    year = simulated_year(tmp_path_factory.getbasetemp())
    path = copy_of(year, tmp_path / "year.db")
    return year, create_engine(f"sqlite:///{path}")


def test_x_4_every_state_change_of_the_year_comes_with_an_audit_row(year_db: Any):
    """No transaction of the simulated year changed a state without writing an audit row."""
    year, _engine = year_db
    kinds = Counter(f"{c['table']}.{c['column']}" for c in year.unaudited)
    record(
        "audit",
        transactions=year.transactions,
        state_changes=year.state_changes,
        unaudited=len(year.unaudited),
        where=dict(kinds),
    )
    assert year.transactions > 50
    assert year.unaudited == [], year.unaudited[:5]


def test_x_4_every_approval_of_the_year_has_its_audit_row(year_db: Any):
    """Each recorded four-eyes decision has an approval.approved/rejected row by that person."""
    _year, engine = year_db
    with Session(engine) as session:
        decisions = session.execute(select(Approval.subject_id, Approval.person_id)).all()
        audited = set(
            session.execute(
                select(AuditEntry.entity_id, AuditEntry.actor).where(
                    AuditEntry.action.in_(("approval.approved", "approval.rejected"))
                )
            ).all()
        )
    assert decisions, "the year recorded no four-eyes decision"
    assert {tuple(d) for d in decisions} <= audited


def test_x_4_the_years_audit_rows_cannot_be_changed_or_deleted_through_the_application(
    year_db: Any,
):
    """ORM edits, merges, bulk updates and deletes of the year's audit rows are all refused."""
    from sqlalchemy import event

    from poflow.db.session import _sqlite_pragmas  # the app's own connection set-up

    _year, engine = year_db
    event.listen(engine, "connect", _sqlite_pragmas)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
    assert first is not None
    attempts = {
        "edit": lambda s: setattr(s.get(AuditEntry, first.id), "actor", "iemand-anders"),
        "merge": lambda s: s.merge(
            AuditEntry(id=first.id, actor="x", action="x", entity_type="x", entity_id="x")
        ),
        "delete": lambda s: s.delete(s.get(AuditEntry, first.id)),
        "bulk update": lambda s: s.execute(update(AuditEntry).values(detail={})),
        "bulk delete": lambda s: s.execute(delete(AuditEntry).where(AuditEntry.id > 0)),
        "raw SQL": lambda s: s.execute(text("DELETE FROM audit")),
    }
    refused = []
    for name, attempt in attempts.items():
        try:
            with Session(engine) as session, session.begin():
                attempt(session)
                session.flush()
        except (AuditTamperError, DBAPIError):
            refused.append(name)
    with Session(engine) as session:
        after = session.scalar(select(func.count()).select_from(AuditEntry))
        kept = session.get(AuditEntry, first.id)
    record("audit_tamper", tried=len(attempts), refused=len(refused), rows=count)
    assert refused == list(attempts)
    assert after == count
    assert (kept.actor, kept.action) == (first.actor, first.action)
