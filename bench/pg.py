"""A throwaway PostgreSQL server for the benchmark (poflow.localpg), and database copies."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from poflow.localpg import LocalPostgres, admin_sql
from poflow.localpg import free_port as _free_port  # noqa: F401  (used by bench.run)

__all__ = ["clone_database", "create_database", "drop_database", "postgres_server", "server_pid"]


@contextmanager
def postgres_server(listen: tuple[str, ...] = ("127.0.0.1",)) -> Iterator[str]:
    """The base URL (no database) of a fresh local server listening on `listen`; removed
    afterwards. POFLOW_BENCH_PG_URL names an existing server instead."""
    if url := os.environ.get("POFLOW_BENCH_PG_URL"):
        yield url.rstrip("/")
        return
    with LocalPostgres(
        options="-c max_connections=200 -c shared_buffers=512MB",
        prefix="poflow-bench-pg-",
        listen=listen,
    ) as server:
        yield server.url


def create_database(base: str, name: str) -> str:
    """Create database `name` and return its URL."""
    admin_sql(base, f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def clone_database(base: str, source: str, name: str) -> str:
    """A copy of database `source` (no one may be connected to it) as `name`; its URL.

    The copy is settled before it is returned: a checkpoint, then the kernel's dirty pages
    written out. A copy leaves 500-700 MiB to write, which the kernel otherwise writes back
    during the next half minute: the measurement that follows.
    """
    admin_sql(base, f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    admin_sql(base, "CHECKPOINT")
    os.sync()
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    """Drop the database of `url` (a copy no longer needed)."""
    base, _, name = url.rpartition("/")
    admin_sql(base, f'DROP DATABASE "{name}"')


def server_pid(url: str) -> int | None:
    """The process id of the server's postmaster, when it runs on this machine (else None):
    the parent of its checkpointer."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
        ).fetchone()
    try:
        with open(f"/proc/{row[0]}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, TypeError):
        return None
