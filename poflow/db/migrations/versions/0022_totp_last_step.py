"""a TOTP code works once: the login remembers the last time step used

A code stays valid for its 30-second step and the steps either side; without this, one seen over
a shoulder or in a proxy's log could be used again within that window. `totp_last_step` holds
the step of the last accepted code; `poflow.auth.accounts.authenticate` refuses a code of that
step or an earlier one.

Revision ID: 0022
Revises: 0016
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login") as batch:
        batch.drop_column("totp_last_step")
