"""Append-only audit log (X-4): who did what to which object, when. Ids and states only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from poflow._exceptions import AuditTamperError
from poflow.db.models import AuditEntry

__all__ = ["record"]


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
        detail={k: (str(v) if not isinstance(v, int | float | bool | None) else v)
                for k, v in detail.items()},
    )
    session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTamperError(
                f"Cannot change or delete audit row {obj.id}: the audit log is append-only."
            )
