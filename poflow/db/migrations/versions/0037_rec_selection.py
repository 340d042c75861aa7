"""REC-5: the MT-lid's selection for an interview round waits for the named P&O adviser's
confirmation; `rec_selection` keeps each proposal (ids only) and where it stands

Revision ID: 0037
Revises: 0025
Create Date: 2027-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0037"
down_revision = "0025"
branch_labels = None
depends_on = "0004"  # the recruitment tables (rec_round)

SELECTION_STATES = ("proposed", "confirmed", "refused", "withdrawn")


def upgrade() -> None:
    utc = poflow.db.base.UTCDateTime()
    op.create_table(
        "rec_selection",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("chosen", sa.JSON(), nullable=False),
        sa.Column("passed_over", sa.JSON(), nullable=False),
        sa.Column("pool", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=False),
        sa.Column("po_id", sa.String(length=40), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*SELECTION_STATES, name="selectionstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("proposed_at", utc, nullable=False),
        sa.Column("decided_at", utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rec_round.id"],
            name="fk_rec_selection_round_id_rec_round",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"],
            ["person.id"],
            name="fk_rec_selection_proposed_by_person",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["po_id"], ["person.id"], name="fk_rec_selection_po_id_person", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rec_selection"),
    )
    op.create_index("ix_rec_selection_round_id", "rec_selection", ["round_id"])


def downgrade() -> None:
    op.drop_index("ix_rec_selection_round_id", table_name="rec_selection")
    op.drop_table("rec_selection")
