"""a hash chain over the audit log per municipality, and the table of the chains' heads

The triggers alone could not make the audit log append-only against whoever owns the database
(the SQLite file's owner drops them, PostgreSQL's table owner disables them). Every row now
gets, once, its place in its municipality's chain and a hash over its content and the previous
row's hash (poflow.audit_chain seals rows after they were written), so a change, deletion or
back-dated insert is found by `poflow audit verify`. The triggers still refuse every UPDATE
and DELETE except that one sealing: seq and hash set on a row without them, nothing else
changed.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0015"
down_revision = "0012"
branch_labels = ("audit_chain",)
depends_on = None

UNSEALED = sa.text("seq IS NULL")
SEALED = sa.text("seq IS NOT NULL")
CONTENT = ("id", "at", "municipality", "actor", "action", "entity_type", "entity_id", "detail")


def upgrade() -> None:
    op.add_column("audit", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_audit_unsealed",
        "audit",
        ["municipality", "id"],
        postgresql_where=UNSEALED,
        sqlite_where=UNSEALED,
    )
    op.create_index(
        "ix_audit_chain",
        "audit",
        ["municipality", "seq"],
        unique=True,
        postgresql_where=SEALED,
        sqlite_where=SEALED,
    )
    op.create_table(
        "audit_chain",
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("at", poflow.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sealed_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality", name=op.f("pk_audit_chain")),
    )
    _triggers(sealing_allowed=True)


def downgrade() -> None:
    _triggers(sealing_allowed=False)
    op.drop_table("audit_chain")
    op.drop_index("ix_audit_chain", table_name="audit")
    op.drop_index("ix_audit_unsealed", table_name="audit")
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): no table rebuild, so the triggers stay.
        op.execute("ALTER TABLE audit DROP COLUMN hash")
        op.execute("ALTER TABLE audit DROP COLUMN seq")
    else:
        op.drop_column("audit", "hash")
        op.drop_column("audit", "seq")


def _triggers(*, sealing_allowed: bool) -> None:
    """The append-only triggers of migration 0001, letting through only the sealing when
    `sealing_allowed`."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_no_update")
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
        when = (
            f" WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL "
            f"AND {same})"
            if sealing_allowed
            else ""
        )
        op.execute(
            f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit{when} "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
        )
        return
    if sealing_allowed:
        new = ", ".join(f"NEW.{c}" for c in CONTENT) + "::text"
        old = ", ".join(f"OLD.{c}" for c in CONTENT) + "::text"
        body = (
            "BEGIN "
            "IF TG_OP = 'UPDATE' THEN "
            "IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL "
            f"AND ({new}) IS NOT DISTINCT FROM ({old}) THEN RETURN NEW; END IF; "
            "END IF; "
            "RAISE EXCEPTION 'audit log is append-only'; END"
        )
    else:
        body = "BEGIN RAISE EXCEPTION 'audit log is append-only'; END"
    op.execute(
        "CREATE OR REPLACE FUNCTION poflow_audit_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ {body} $$"
    )
