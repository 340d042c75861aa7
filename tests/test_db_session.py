"""Tests of the schema the migrations build, against the tables the models declare."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

import poflow.db.all_models  # noqa: F401  (every table on Base.metadata)
from poflow.db.base import Base


def test_the_migrations_create_every_index_the_models_declare(db_url: str):
    """Each model index exists after `upgrade heads`, by name, on the same columns."""
    engine = create_engine(db_url)
    try:
        found = inspect(engine)
        missing = []
        for table in Base.metadata.sorted_tables:
            have = {ix["name"]: ix["column_names"] for ix in found.get_indexes(table.name)}
            missing += [
                (table.name, index.name)
                for index in table.indexes
                if have.get(index.name) != [c.name for c in index.columns]
            ]
    finally:
        engine.dispose()
    assert missing == []
