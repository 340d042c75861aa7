"""Refused requests, audited without letting anyone flood the audit log (X-4, X-3).

Every refused link or request is counted in `refusal_tally`: one row per minute, source,
reason, method and link (the link's id, or "unknown" when the token names no link). The source
is a keyed hash of the client's address, never the address itself (X-3). Only the first
refusal of a row also writes an audit row (`link.refused`, naming the source and the minute);
the others raise the row's count. A flood of refused requests from one source so leaves a few
rows a minute instead of one per request. A token is never stored: only its fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy.orm import Session

from poflow import audit
from poflow.db.base import insert_for, table_of, utcnow
from poflow.db.models import RefusalTally
from poflow.links import ActionLink
from poflow.web.guard import token_fingerprint

__all__ = ["BUCKET", "source_of", "tally_refusal"]

BUCKET = ("minute", "source", "reason", "method", "entity_id")  # one tally row per bucket


def source_of(secret: str, address: str | None) -> str:
    """The 16-hex keyed hash that stands for a client address (X-3: never the address)."""
    message = f"source:{address or '-'}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def tally_refusal(
    session: Session,
    *,
    source: str,
    reason: str,
    method: str,
    row: ActionLink | None,
    token: str,
    actor: str = "web",
    now: datetime | None = None,
) -> int:
    """Count one refusal in its bucket; the bucket's first also writes the audit row.

    Returns the bucket's count with this refusal (1: the audit row was written now). The caller
    commits. Two requests racing for a new bucket are serialised by its primary key: exactly
    one of them sees 1.
    """
    moment = now or utcnow()
    minute = moment.replace(second=0, microsecond=0)
    entity = str(row.id) if row is not None else "unknown"
    municipality = row.municipality if row is not None else None
    table = table_of(RefusalTally)
    insert = insert_for(session, table).values(
        minute=minute,
        source=source,
        reason=reason,
        method=method,
        entity_id=entity,
        municipality=municipality,
        count=1,
        last_at=moment,
    )
    upsert = insert.on_conflict_do_update(
        index_elements=list(BUCKET),
        set_={"count": table.c.count + 1, "last_at": insert.excluded.last_at},
    ).returning(table.c.count)
    count = int(session.execute(upsert).scalar_one())
    if count == 1:
        audit.record(
            session,
            actor=actor,
            action="link.refused",
            entity_type="action_link",
            entity_id=entity,
            municipality=municipality,
            reason=reason,
            method=method,
            source=source,
            minute=minute.isoformat(),
            link_action=row.action if row is not None else None,
            token=None if row is not None else token_fingerprint(token),
        )
    return count
