"""Tests of the schema the migrations build, against the tables the models declare."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from poflow.db.base import Base
from poflow.tables import declared_tables, schema_metadata


def test_the_migrations_create_every_index_the_models_declare(db_url: str):
    """Each model index exists after `upgrade heads`, by name, on the same columns."""
    engine = create_engine(db_url)
    try:
        found = inspect(engine)
        missing = []
        for table in schema_metadata().sorted_tables:
            have = {ix["name"]: ix["column_names"] for ix in found.get_indexes(table.name)}
            missing += [
                (table.name, index.name)
                for index in table.indexes
                if have.get(index.name) != [c.name for c in index.columns]
            ]
    finally:
        engine.dispose()
    assert missing == []


def test_every_table_is_declared_once_by_the_core_or_a_process():
    """Each table on the metadata is named by CORE_TABLES or one ProcessSpec.tables, no more."""
    assert set(declared_tables()) == set(schema_metadata().tables)


def test_a_table_no_declaration_names_is_refused(monkeypatch):
    """A model outside every declaration makes schema_metadata raise, naming the table."""
    import pytest
    from sqlalchemy import Column, Integer, Table

    from poflow._exceptions import ConfigError

    stray = Table("stray_table", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        with pytest.raises(ConfigError, match="stray_table"):
            schema_metadata()
    finally:
        Base.metadata.remove(stray)
