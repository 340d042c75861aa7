"""approval roles granted only after a second person confirms them, and why a link was revoked

An import could give anyone an approval role (leidinggevende, po_adviseur, mt_lid,
gemeentesecretaris, or_lid) at once, so whoever ran it appointed their own second pair of eyes.
Such a role is now asked for in `role_grant` and reaches `person_role` only when another P&O
adviser or the gemeentesecretaris confirms it. `action_link.revoked_reason` lets a revoked
link's page say why (e.g. "vervangen door nieuwe voorwaarden").

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0017"
down_revision = "0015"
branch_labels = ("role_grants",)
depends_on = None

PENDING = sa.text("confirmed_at IS NULL AND refused_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=40), nullable=True),
        sa.Column("confirmed_at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refused_by", sa.String(length=80), nullable=True),
        sa.Column("refused_at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_role_grant_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grant")),
    )
    op.create_index("ix_role_grant_batch", "role_grant", ["municipality", "batch"])
    op.create_index(
        "ix_role_grant_pending",
        "role_grant",
        ["person_id", "role"],
        unique=True,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    with op.batch_alter_table("action_link") as batch:
        batch.add_column(sa.Column("revoked_reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_link") as batch:
        batch.drop_column("revoked_reason")
    op.drop_index("ix_role_grant_pending", table_name="role_grant")
    op.drop_index("ix_role_grant_batch", table_name="role_grant")
    op.drop_table("role_grant")
