"""index a municipality's open steps for the workspace overview: by owner, and by date

P&O's overview (issue 21) asks two questions of a municipality's open steps: what waits on whom
(open steps due within a week or late, counted per owner and process) on every request, and
which hires have a step past its date (the filter "alleen met iets te laat"). With 2,000 running
hires that is some 30,000 open steps; ix_step_state_due (state, due_date) finds them for every
municipality and reads each row from the table. Both indexes start with the municipality and the
state and carry the columns their query reads, so each query reads one range of an index and no
table rows (an index-only scan): ix_step_open_work ordered by owner and process, so counting per
owner needs no sort; ix_step_late_cases ordered by date, so the late steps are one range.

Revision ID: 0031
Revises: 0025
Create Date: 2027-01-24
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0025"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_step_open_work": [
        "municipality",
        "state",
        "owner_id",
        "owner_role",
        "process",
        "due_date",
    ],
    "ix_step_late_cases": ["municipality", "state", "due_date", "case_type", "case_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "step", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="step")
