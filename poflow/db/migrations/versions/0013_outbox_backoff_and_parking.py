"""a message that fails alone waits before its next attempt, and is parked after its last

`next_attempt_at` holds the backoff of a message that could not be composed or was refused
alone; the send loop's claim skips it until then. Messages the server refused for good were
`failed`; they are `parked` now, with the messages that ran out of attempts (P&O re-queues both
with `poflow mail retry`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _state(old: str, new: str) -> None:
    outbox = sa.table("outbox", sa.column("state", sa.String))
    op.execute(outbox.update().where(outbox.c.state == old).values(state=new))


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
    _state("failed", "parked")


def downgrade() -> None:
    _state("parked", "failed")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
