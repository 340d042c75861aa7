"""files uploaded in the workspace wait server-side for their import's confirmation

The workspace's import page previews an uploaded staff or hires file (a dry run) and imports it
only when the P&O adviser confirms. Between the two the file is kept in `import_upload`, keyed by
the SHA-256 of its content and the person who uploaded it, for an hour at most; it is deleted
once imported.

Revision ID: 0027
Revises: 0022
Create Date: 2027-01-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import poflow.db.base

revision = "0027"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_upload",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", poflow.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_upload")),
    )
    op.create_index(
        "ix_import_upload_key", "import_upload", ["digest", "person_id", "kind"], unique=True
    )
    op.create_index("ix_import_upload_created_at", "import_upload", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_import_upload_created_at", table_name="import_upload")
    op.drop_index("ix_import_upload_key", table_name="import_upload")
    op.drop_table("import_upload")
