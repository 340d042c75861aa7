"""web: four-eyes approval requests answered through action links (REC-9)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0003"
down_revision = "0002"
branch_labels = ("web",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_request",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("required", sa.JSON(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=36), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending", "approved", "rejected", name="outcome", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_request")),
        sa.UniqueConstraint(
            "subject_type", "subject_id", name=op.f("uq_approval_request_subject_type_subject_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("approval_request")
