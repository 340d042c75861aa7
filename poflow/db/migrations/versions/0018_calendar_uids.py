"""calendar UIDs unique per installation: a UID per step and per introduction session

Invitations were `poflow-step-<id>@<gemeente>.poflow`: the same UID came out of every database,
so a rebuilt or second installation would overwrite events in people's calendars. Every step
and every introduction session now keeps its own UID. Rows that exist keep the UID their
invitations already carry (`poflow-step-<id>`, `poflow-int-<id>`), so calendars update those
events in place; new rows get a random UUID (`poflow-step-<uuid4>`).

Revision ID: 0018
Revises: 0015
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = ("0006",)  # int_session is the introduction branch's table

# (table, prefix of its existing rows' UID)
_TABLES = (("step", "poflow-step-"), ("int_session", "poflow-int-"))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, prefix in _TABLES:
        # A plain ADD COLUMN: SQLite's batch mode would rebuild `step`, and dropping the old
        # table would cascade to its actions.
        op.add_column(table, sa.Column("uid", sa.String(length=64), nullable=True))
        op.execute(f"UPDATE {table} SET uid = '{prefix}' || CAST(id AS VARCHAR)")  # noqa: S608  (constants only)
        if postgres:  # SQLite cannot add NOT NULL to an existing column without a rebuild
            op.alter_column(table, "uid", nullable=False)


def downgrade() -> None:
    for table, _prefix in _TABLES:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN uid")
        else:
            op.drop_column(table, "uid")
