"""what poflow last published to Prefect per artifact key

Revision ID: 0009
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0009"
down_revision = "0002"
branch_labels = ("published",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_artifact",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("published_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("published_artifact")
