"""Imports every module that defines tables, so Alembic sees the whole schema."""

from poflow import foureyes, links  # noqa: F401  (approvals, action links)
from poflow.db import models  # noqa: F401  (engine tables)
