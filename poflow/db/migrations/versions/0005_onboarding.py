"""onboarding: the notices of checklist items waiting for (or carried by) an owner's digest (ONB-3)

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0005"
down_revision = "0002"
branch_labels = ("onboarding",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "onboarding_notice",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("hire_id", sa.String(length=40), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "announce",
                "remind",
                "escalate_manager",
                "escalate_po",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("recipient_key", sa.String(length=48), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("digest_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_onboarding_notice_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["step.id"],
            name=op.f("fk_onboarding_notice_step_id_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_notice")),
        sa.UniqueConstraint(
            "action_id", "recipient_key", name=op.f("uq_onboarding_notice_action_id_recipient_key")
        ),
    )
    op.create_index(
        "ix_onboarding_notice_waiting",
        "onboarding_notice",
        ["municipality", "recipient_key", "digest_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_onboarding_notice_waiting", table_name="onboarding_notice")
    op.drop_table("onboarding_notice")
