"""The one place that creates database engines and sessions, and migrates the schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "POOL_SIZE",
    "fill_pool",
    "make_engine",
    "one_connection",
    "reading",
    "session_factory",
    "session_scope",
    "upgrade_schema",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL connections a process keeps open; as many more may open for a burst and close after.
# A web worker runs at most POOL_SIZE requests in threads at once (poflow.web.app), so its
# requests never open and close the extra ones: with 50 link clicks at once that churn cost
# more than the pages (docs/performance.md).
POOL_SIZE = 10


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


DEFERRED = "poflow_deferred"  # execution option: this engine's transactions only read first


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock when a transaction starts, so two writers can never both read a
    # row as "queued" and both send it; SQLite has no SELECT ... FOR UPDATE. Sessions
    # of `reading(factory)` begin deferred instead: readers in WAL mode do not wait for the
    # write lock nor hold it.
    deferred = conn.get_execution_options().get(DEFERRED, False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


@lru_cache(maxsize=16)
def make_engine(url: str) -> Engine:
    """Return the (cached) engine for `url`, with SQLite set up for safe concurrent use."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)


def fill_pool(url: str) -> None:
    """Open the POOL_SIZE connections a PostgreSQL pool keeps, so that a server's first burst
    of requests finds them open (a web worker at start-up). SQLite opens its file cheaply:
    nothing to do there."""
    if url.startswith("sqlite"):
        return
    engine = make_engine(url)
    with ExitStack() as held:
        for _ in range(POOL_SIZE):
            held.enter_context(engine.connect())


def session_factory(url: str) -> sessionmaker[Session]:
    """A sessionmaker bound to the engine for `url`."""
    return sessionmaker(make_engine(url), expire_on_commit=False)


def reading(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """`factory` for work that reads, and writes only in a transaction that begins with the
    write (e.g. a link page: shown without writing, its refusal counted after a rollback).

    On SQLite its transactions begin deferred (BEGIN, not BEGIN IMMEDIATE), so many readers
    run at once instead of one after another behind the write lock; a transaction that reads
    and then writes must not use it (it could not take the write lock once another wrote).
    Elsewhere it is `factory` itself. Same session class: the same listeners (track_cases).
    """
    bind = factory.kw["bind"]
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return factory
    return sessionmaker(
        bind.execution_options(**{DEFERRED: True}),
        class_=factory.class_,
        expire_on_commit=factory.kw.get("expire_on_commit", True),
    )


@contextmanager
def one_connection(factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """`factory`, with every session it makes on one pooled connection, held for the block.

    For loops of short transactions (a batch, a message): each session's transaction still
    commits on its own, but the connection is checked out (and, on PostgreSQL, pinged) once.
    Not for use from several threads at once.
    """
    bind = factory.kw["bind"]
    with bind.connect() as connection:
        yield sessionmaker(
            bind=connection,
            class_=factory.class_,  # the same listeners (track_cases): the same session
            expire_on_commit=factory.kw.get("expire_on_commit", True),
        )


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    with session_factory(url)() as session, session.begin():
        yield session


def alembic_config(url: str) -> Any:
    """An Alembic Config pointing at poflow's migrations and `url`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_schema(url: str) -> None:
    """Bring the database at `url` to the newest schema (alembic upgrade heads)."""
    from alembic import command

    command.upgrade(alembic_config(url), "heads")
