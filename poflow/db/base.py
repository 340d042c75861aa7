"""Declarative base and column types shared by every poflow table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = ["IN_LIST_SIZE", "Base", "UTCDateTime", "chunked", "insert_for", "one_of", "utcnow"]

T = TypeVar("T")
IN_LIST_SIZE = 500  # values per IN (...) list: well inside both databases' parameter limits

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def chunked(values: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`, for IN (...) lists."""
    for i in range(0, len(values), size):
        yield values[i:i + size]


def one_of(session: Any, column: Any, values: Sequence[Any]) -> Any:
    """`column IN values` in the form the session's database handles best.

    PostgreSQL: `column = ANY(:array)`, one parameter, so the statement's text is the same
    whatever the number of values and the driver parses it once; an expanded IN list of 500
    placeholders cost a parse of ~2 ms per statement. SQLite: the usual IN list.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def insert_for(session: Any, table: Any) -> Any:
    """An INSERT into `table` that takes ON CONFLICT clauses, for the session's database
    (PostgreSQL or SQLite; both spell them the same)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC on every backend (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of all poflow tables."""

    metadata = MetaData(naming_convention=NAMING)
