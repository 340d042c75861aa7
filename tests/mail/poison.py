"""Queueing messages for the poison-mail tests straight into the outbox, as rows written before
the entry checks (or by a path that slipped past them) would be, and reading them back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from poflow.db.models import Outbox
from poflow.mail.outbox import Recipient, outbox_row, queue_rows
from poflow.mail.render import RenderedMail

__all__ = ["PO_MAILBOX", "outbox", "queue", "states"]

PO_MAILBOX = "po@hardenberg.example.nl"  # config/hardenberg/municipality.yaml


def queue(rt: Any, key: str, email: str, *, name: str = "Anne Test", case_id: str = "NH-1") -> int:
    """Queue one message to `email` (not checked: as any row already in the outbox); its id."""
    row = outbox_row(
        key=key,
        rendered=RenderedMail(f"Bericht {key}", "Hallo.", "<p>Hallo.</p>"),
        to=Recipient("P-1", name, email),
        sender_name="P&O Hardenberg",
        sender_email="po@hardenberg.example.nl",
        municipality="hardenberg",
        case_type="hire",
        case_id=case_id,
        template="onboarding/welkom_prive",
    )
    with rt.factory() as session, session.begin():
        queue_rows(session, [row])
        return int(session.scalar(select(Outbox.id).where(Outbox.key == key)) or 0)


def outbox(rt: Any, row_id: int) -> Outbox:
    """One outbox row as stored now."""
    with rt.factory() as session:
        row = session.get(Outbox, row_id)
        assert row is not None
        session.expunge(row)
        return row


def states(rt: Any) -> dict[str, int]:
    """How many outbox rows are in each state."""
    with rt.factory() as session:
        rows = session.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all()
    return {state.value: n for state, n in rows}
