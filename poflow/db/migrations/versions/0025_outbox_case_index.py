"""the outbox by case: a hire's page reads its mails without scanning every mail

The workspace's page of a hire (issue 21) lists every mail sent or queued for that hire; with
thousands of hires the outbox holds hundreds of thousands of rows. An index on (case_type,
case_id), like the action table's, makes that one indexed lookup.

Revision ID: 0025
Revises: 0013
Create Date: 2027-01-20
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_case", "outbox", ["case_type", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_case", table_name="outbox")
