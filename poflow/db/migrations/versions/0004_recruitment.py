"""recruitment rounds: rounds, their transitions, candidates, documents and anonymous tallies

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24

Hand-written (REC-1..13, X-3): only the rec_* tables of poflow/recruitment/models.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0004"
down_revision = "0002"
branch_labels = ("recruitment",)
depends_on = None

ROUND_STATES = (
    "formation",
    "drafting",
    "text_review",
    "internal",
    "external",
    "round_one",
    "round_two",
    "decision",
    "terms",
    "advice",
    "filled",
    "cancelled",
)
CANDIDATE_STATES = (
    "prospect",
    "applied",
    "round_one",
    "round_two",
    "offered",
    "hired",
    "rejected",
    "withdrawn",
)


def _person(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.String(length=40), nullable=nullable)


def _person_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [name], ["person.id"], name=f"fk_rec_round_{name}_person", ondelete="RESTRICT"
    )


def upgrade() -> None:
    utc = poflow.db.base.UTCDateTime(timezone=True)
    op.create_table(
        "rec_round",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("team", sa.String(length=120), nullable=False),
        sa.Column("function", sa.String(length=160), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("formation_change", sa.Boolean(), nullable=False),
        sa.Column("internal_window_days", sa.Integer(), nullable=False),
        _person("po_id", False),
        _person("mt_lid_id", False),
        _person("leidinggevende_id", False),
        _person("colleague_id", True),
        _person("recruiter_id", True),
        _person("gemeentesecretaris_id", True),
        _person("or_id", True),
        sa.Column(
            "state",
            sa.Enum(*ROUND_STATES, name="roundstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("vacancy_version", sa.Integer(), nullable=False),
        sa.Column("vacancy_text", sa.Text(), nullable=True),
        sa.Column("internal_from", sa.Date(), nullable=True),
        sa.Column("external_from", sa.Date(), nullable=True),
        sa.Column("offer_candidate_id", sa.String(length=40), nullable=True),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("hire_id", sa.String(length=40), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rec_round"),
        *[
            _person_fk(n)
            for n in (
                "po_id",
                "mt_lid_id",
                "leidinggevende_id",
                "colleague_id",
                "recruiter_id",
                "gemeentesecretaris_id",
                "or_id",
            )
        ],
    )
    op.create_index("ix_rec_round_municipality", "rec_round", ["municipality"])
    op.create_table(
        "rec_round_transition",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rec_round.id"],
            name="fk_rec_round_transition_round_id_rec_round",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rec_round_transition"),
    )
    op.create_index("ix_rec_round_transition_round_id", "rec_round_transition", ["round_id"])
    op.create_table(
        "rec_candidate",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*CANDIDATE_STATES, name="candidatestate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("consent_partners", sa.Boolean(), nullable=False),
        sa.Column("consent_retention", sa.Boolean(), nullable=False),
        sa.Column("referred_by_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("hire_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rec_round.id"],
            name="fk_rec_candidate_round_id_rec_round",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rec_candidate"),
        sa.UniqueConstraint("round_id", "seq", name="uq_rec_candidate_round_id_seq"),
    )
    op.create_index("ix_rec_candidate_round_id", "rec_candidate", ["round_id"])
    op.create_index("ix_rec_candidate_hire_id", "rec_candidate", ["hire_id"])
    op.create_table(
        "rec_document",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("sent_at", utc, nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rec_round.id"],
            name="fk_rec_document_round_id_rec_round",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rec_document"),
        sa.UniqueConstraint("key", name="uq_rec_document_key"),
    )
    op.create_index("ix_rec_document_round_id", "rec_document", ["round_id"])
    op.create_table(
        "rec_tally",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rec_round.id"],
            name="fk_rec_tally_round_id_rec_round",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rec_tally"),
        sa.UniqueConstraint(
            "round_id", "tier", "outcome", name="uq_rec_tally_round_id_tier_outcome"
        ),
    )


def downgrade() -> None:
    op.drop_table("rec_tally")
    op.drop_index("ix_rec_document_round_id", table_name="rec_document")
    op.drop_table("rec_document")
    op.drop_index("ix_rec_candidate_hire_id", table_name="rec_candidate")
    op.drop_index("ix_rec_candidate_round_id", table_name="rec_candidate")
    op.drop_table("rec_candidate")
    op.drop_index("ix_rec_round_transition_round_id", table_name="rec_round_transition")
    op.drop_table("rec_round_transition")
    op.drop_index("ix_rec_round_municipality", table_name="rec_round")
    op.drop_table("rec_round")
