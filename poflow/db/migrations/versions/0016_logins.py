"""people log in: login identities (local password with optional TOTP, or OIDC) and sessions

poflow did not know who was acting: a decision was whatever a mailed link said. Each person of
the staff register may now have one login, and a logged-in person one or more server-side
sessions (the cookie's random value is never stored, only its SHA-256).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_login_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login")),
        sa.UniqueConstraint("person_id", name=op.f("uq_login_person_id")),
        sa.UniqueConstraint("method", "subject", name=op.f("uq_login_method_subject")),
    )
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_login_session_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index("ix_login_session_person", ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index("ix_login_session_person")
    op.drop_table("login_session")
    op.drop_table("login")
