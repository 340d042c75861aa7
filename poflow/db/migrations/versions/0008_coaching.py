"""career coaching registrations (LBC)

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0008"
down_revision = "0002"
branch_labels = ("coaching",)
depends_on = None

TRAJECTORY = ("active", "completed", "ended_early")
GOAL = ("open", "achieved", "not_achieved")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "coaching_registration",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("coach_id", sa.String(length=40), nullable=False),
        sa.Column("employee_name", sa.String(length=200), nullable=False),
        sa.Column("employee_id", sa.String(length=40), nullable=True),
        sa.Column("manager_id", sa.String(length=40), nullable=True),
        sa.Column("manager_consent", sa.Boolean(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("domain", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("state", _enum(TRAJECTORY, "trajectorystate"), nullable=False),
        sa.Column("goal1", _enum(GOAL, "goalstate"), nullable=True),
        sa.Column("goal1_text", sa.Text(), nullable=True),
        sa.Column("goal2", _enum(GOAL, "goalstate"), nullable=True),
        sa.Column("goal2_text", sa.Text(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["person.id"],
            name=op.f("fk_coaching_registration_coach_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_coaching_registration_manager_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_registration")),
        sa.UniqueConstraint(
            "municipality", "ref", name=op.f("uq_coaching_registration_municipality_ref")
        ),
    )
    with op.batch_alter_table("coaching_registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coaching_registration_period", ["municipality", "registered_on"], unique=False
        )
        batch_op.create_index("ix_coaching_registration_coach", ["coach_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coaching_registration", schema=None) as batch_op:
        batch_op.drop_index("ix_coaching_registration_coach")
        batch_op.drop_index("ix_coaching_registration_period")
    op.drop_table("coaching_registration")
