"""conversation cycle: cycles, legal-status decisions, appraisals (GES)

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0007"
down_revision = "0002"
branch_labels = ("conversations",)
depends_on = None

SCORES = ("onvoldoende", "voldoende", "goed", "zeer_goed")


def _enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=16)


def _utc() -> poflow.db.base.UTCDateTime:
    return poflow.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ges_cycle",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("manager_id", sa.String(length=40), nullable=False),
        sa.Column("basis", _enum("introductie", "proeftijd", "gekozen"), nullable=False),
        sa.Column("state", _enum("actief", "gestopt"), nullable=False),
        sa.Column("first_richtgesprek", sa.Date(), nullable=False),
        sa.Column("current_round", sa.Integer(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("raise_anchor", sa.Date(), nullable=False),
        sa.Column("last_raise_on", sa.Date(), nullable=True),
        sa.Column("last_promotion_on", sa.Date(), nullable=True),
        sa.Column("at_scale_max", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_ges_cycle_manager_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ges_cycle")),
        sa.UniqueConstraint("case_type", "case_id", name=op.f("uq_ges_cycle_case_type_case_id")),
    )
    op.create_index(op.f("ix_ges_cycle_municipality"), "ges_cycle", ["municipality"])
    op.create_table(
        "ges_legal_decision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("manager_id", sa.String(length=40), nullable=False),
        sa.Column("kind", _enum("vast", "promotie", "geen_periodiek", "demotie"), nullable=False),
        sa.Column("state", _enum("wacht", "gereed", "besloten", "ingetrokken"), nullable=False),
        sa.Column("appraisal_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_at", _utc(), nullable=False),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
            name=op.f("fk_ges_legal_decision_manager_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ges_legal_decision")),
    )
    op.create_index(op.f("ix_ges_legal_decision_case_id"), "ges_legal_decision", ["case_id"])
    op.create_table(
        "ges_appraisal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("case_type", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column("legal_decision_id", sa.Integer(), nullable=True),
        sa.Column("talk_on", sa.Date(), nullable=False),
        sa.Column("prestatie", _enum(*SCORES), nullable=False),
        sa.Column("prestatie_motivatie", sa.Text(), nullable=False),
        sa.Column("potentieel", _enum(*SCORES), nullable=False),
        sa.Column("potentieel_motivatie", sa.Text(), nullable=False),
        sa.Column("kernwaarden", _enum(*SCORES), nullable=False),
        sa.Column("kernwaarden_motivatie", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("raise_on", sa.Date(), nullable=True),
        sa.Column("raise_granted", sa.Boolean(), nullable=True),
        sa.Column("raise_reasons", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["step_id"], ["step.id"], name=op.f("fk_ges_appraisal_step_id_step"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["ges_cycle.id"],
            name=op.f("fk_ges_appraisal_cycle_id_ges_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["legal_decision_id"],
            ["ges_legal_decision.id"],
            name=op.f("fk_ges_appraisal_legal_decision_id_ges_legal_decision"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ges_appraisal")),
        sa.UniqueConstraint("step_id", name=op.f("uq_ges_appraisal_step_id")),
    )
    op.create_index(op.f("ix_ges_appraisal_case_id"), "ges_appraisal", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ges_appraisal_case_id"), table_name="ges_appraisal")
    op.drop_table("ges_appraisal")
    op.drop_index(op.f("ix_ges_legal_decision_case_id"), table_name="ges_legal_decision")
    op.drop_table("ges_legal_decision")
    op.drop_index(op.f("ix_ges_cycle_municipality"), table_name="ges_cycle")
    op.drop_table("ges_cycle")
