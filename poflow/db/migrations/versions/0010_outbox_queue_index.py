"""index the outbox queue in id order for a send over all municipalities

Without it, claiming the next queued message for every municipality scanned and sorted all
queued rows each time: quadratic in a day's mail (9,514 messages on the benchmark's import day).

Revision ID: 0010
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0002"
branch_labels = ("outbox_queue",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_queue", "outbox", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_queue", table_name="outbox")
