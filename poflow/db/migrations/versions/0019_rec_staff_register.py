"""REC-4: the staff register's standing of people who are not the municipality's own employees,
the register person a tier 1-3 candidate is, and why a higher tier was passed over

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = "0004"  # the recruitment tables (rec_candidate)


def upgrade() -> None:
    op.create_table(
        "rec_staff_standing",
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("standing", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", poflow.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.add_column("rec_candidate", sa.Column("employee_id", sa.String(length=40), nullable=True))
    op.add_column(
        "rec_candidate", sa.Column("passed_over_reason", sa.String(length=200), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("rec_candidate") as batch:
        batch.drop_column("passed_over_reason")
        batch.drop_column("employee_id")
    op.drop_table("rec_staff_standing")
