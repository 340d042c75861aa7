"""introduction programme: enrolments, group sessions, participants, certificates (INT)

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0006"
down_revision = "0002"
branch_labels = ("introduction",)
depends_on = None


def _enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "int_enrolment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("hire_id", sa.String(length=40), nullable=False),
        sa.Column("group", _enum("primair", "secundair", "uitgesloten"), nullable=False),
        sa.Column("variant", sa.String(length=24), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("enrolled_by", sa.String(length=40), nullable=False),
        sa.Column("state", _enum("active", "completed", "cancelled"), nullable=False),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hire_id"], ["hire.id"], name=op.f("fk_int_enrolment_hire_id_hire"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_int_enrolment")),
        sa.UniqueConstraint("hire_id", name=op.f("uq_int_enrolment_hire_id")),
    )
    op.create_index(
        "ix_int_enrolment_municipality_state", "int_enrolment", ["municipality", "state"]
    )
    op.create_table(
        "int_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("series", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("starts_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("state", _enum("planned", "closed"), nullable=False),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_int_session")),
        sa.UniqueConstraint(
            "municipality",
            "series",
            "session_date",
            name=op.f("uq_int_session_municipality_series_session_date"),
        ),
    )
    op.create_table(
        "int_participant",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("hire_id", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            _enum("invited", "accepted", "declined", "attended", "missed", "spilled", "cancelled"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("invited_on", sa.Date(), nullable=False),
        sa.Column("updated_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["int_session.id"],
            name=op.f("fk_int_participant_session_id_int_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hire_id"],
            ["hire.id"],
            name=op.f("fk_int_participant_hire_id_hire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_int_participant")),
        sa.UniqueConstraint(
            "session_id", "hire_id", name=op.f("uq_int_participant_session_id_hire_id")
        ),
    )
    op.create_index("ix_int_participant_hire", "int_participant", ["hire_id"])
    op.create_table(
        "int_certificate",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("hire_id", sa.String(length=40), nullable=False),
        sa.Column("item", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hire_id"],
            ["hire.id"],
            name=op.f("fk_int_certificate_hire_id_hire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_int_certificate")),
        sa.UniqueConstraint("number", name=op.f("uq_int_certificate_number")),
        sa.UniqueConstraint("hire_id", "item", name=op.f("uq_int_certificate_hire_id_item")),
    )


def downgrade() -> None:
    op.drop_table("int_certificate")
    op.drop_index("ix_int_participant_hire", table_name="int_participant")
    op.drop_table("int_participant")
    op.drop_table("int_session")
    op.drop_index("ix_int_enrolment_municipality_state", table_name="int_enrolment")
    op.drop_table("int_enrolment")
