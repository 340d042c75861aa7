"""refused web requests counted per minute, source, reason, method and link

A refused link wrote one audit row per request, so anyone could flood the audit log. The
tally counts them; only the first refusal of each bucket writes an audit row.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refusal_tally",
        sa.Column("minute", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("entity_id", sa.String(80), nullable=False),
        sa.Column("municipality", sa.String(64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("minute", "source", "reason", "method", "entity_id"),
    )


def downgrade() -> None:
    op.drop_table("refusal_tally")
