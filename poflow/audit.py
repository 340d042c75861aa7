"""Append-only audit log (X-4): who did what to which object, when. Ids and states only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, String, cast, event, func, insert, literal, literal_column, select
from sqlalchemy.orm import Session

from poflow._exceptions import AuditTamperError
from poflow.db.base import UTCDateTime, insert_rows, table_of, utcnow
from poflow.db.models import AuditEntry

__all__ = ["record", "record_many", "record_selected"]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    municipality: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add one audit row to the session's unit of work; `detail` must hold no personal data."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        municipality=municipality,
        detail=_plain(detail),
    )
    session.add(entry)
    return entry


def record_many(
    session: Session,
    *,
    actor: str,
    entries: Iterable[tuple[str | None, str, str, str, dict[str, Any]]],
) -> int:
    """Insert many audit rows at once, each (municipality, action, entity_type, entity_id,
    detail).

    For set-based work (a batch of actions marked done in one UPDATE): one INSERT instead of
    an ORM object per row. The rows are the same as `record` writes; returns how many.
    """
    rows = [
        {
            "actor": actor,
            "municipality": municipality,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "detail": _plain(detail),
        }
        for municipality, action, entity_type, entity_id, detail in entries
    ]
    if rows:
        insert_rows(session, AuditEntry.__table__, rows)
    return len(rows)


def record_selected(
    session: Session, query: Select[Any], *, actor: str, action: str, entity_type: str
) -> None:
    """One audit row per row of `query`, in a single INSERT ... SELECT.

    `query`'s column labelled "entity_id" names the entity and its column "municipality" the
    row's municipality; its other columns become the detail (the same JSON object `record`
    would write). For set-based state changes of many rows.
    """
    rows = query.subquery()
    build = (
        func.json_build_object
        if session.get_bind().dialect.name == "postgresql"
        else func.json_object
    )
    pairs = []
    for column in rows.c:
        if column.key not in ("entity_id", "municipality"):
            if not column.key.isidentifier():
                raise ValueError(f"Audit detail key {column.key!r} is not a plain name")
            pairs += [literal_column(f"'{column.key}'"), column]
    if "municipality" not in rows.c:
        raise ValueError("record_selected needs a column labelled 'municipality'")
    session.execute(
        insert(table_of(AuditEntry)).from_select(
            ["at", "municipality", "actor", "action", "entity_type", "entity_id", "detail"],
            select(
                literal(utcnow(), UTCDateTime()),
                rows.c.municipality,
                cast(literal(actor), String),
                cast(literal(action), String),
                cast(literal(entity_type), String),
                cast(rows.c.entity_id, String),
                build(*pairs),
            ),
        )
    )


def _plain(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (str(v) if not isinstance(v, int | float | bool | None) else v)
        for k, v in detail.items()
    }


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTamperError(
                f"Cannot change or delete audit row {obj.id}: the audit log is append-only."
            )
