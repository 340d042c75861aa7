"""A throwaway PostgreSQL server for the benchmark, started the way tests/conftest.py does."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["clone_database", "create_database", "postgres_server"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """The base URL (no database) of a fresh local server; removed afterwards."""
    if url := os.environ.get("POFLOW_BENCH_PG_URL"):
        yield url.rstrip("/")
        return
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    bindir = Path(found[-1]).parent
    tmp = Path(tempfile.mkdtemp(prefix="poflow-bench-pg-"))
    data, port = tmp / "data", _free_port()
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(tmp, "postgres")
    run = ["runuser", "-u", "postgres", "--"] if as_root else []
    subprocess.run([*run, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "poflow",
                    "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*run, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w",
                    "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c max_connections=200 -c shared_buffers=512MB", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://poflow@127.0.0.1:{port}"
    finally:
        subprocess.run([*run, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _admin(base: str, sql: str) -> None:
    import psycopg

    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def create_database(base: str, name: str) -> str:
    """Create database `name` and return its URL."""
    _admin(base, f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def clone_database(base: str, source: str, name: str) -> str:
    """A copy of database `source` (no one may be connected to it) as `name`; its URL."""
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return f"{base}/{name}"
