"""Imports every module that defines tables, so Alembic sees the whole schema."""

from poflow.db import models  # noqa: F401  (engine tables)
