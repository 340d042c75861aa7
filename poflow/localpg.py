"""A throwaway PostgreSQL server on loopback, for the tests and the benchmark (not production).

It uses the server binaries of /usr/lib/postgresql/*/bin and runs them as the `postgres` user
when started as root, since initdb refuses root. Durability is off (fsync=off): data is scratch.
"""

from __future__ import annotations

import glob
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["LocalPostgres", "admin_sql", "free_port"]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return Path(found[-1]).parent


class LocalPostgres:
    """initdb + pg_ctl in a temporary folder; `url` is the base URL (no database name)."""

    def __init__(
        self,
        *,
        options: str = "",
        prefix: str = "poflow-pg-",
        listen: tuple[str, ...] = ("127.0.0.1",),
    ) -> None:
        self._bin = _bindir()
        self._tmp = Path(tempfile.mkdtemp(prefix=prefix))
        self._data = self._tmp / "data"
        self.port = free_port()
        self._listen = listen
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        addresses = ",".join(listen)
        self._options = (
            f"-p {self.port} -k {self._tmp} -c listen_addresses={addresses} -c fsync=off {options}"
        ).strip()

    @property
    def url(self) -> str:
        """postgresql+psycopg://poflow@127.0.0.1:<port>"""
        return f"postgresql+psycopg://poflow@127.0.0.1:{self.port}"

    def ctl(self, *args: str) -> None:
        """Run pg_ctl with this server's options (e.g. "-m", "fast", "restart")."""
        subprocess.run(
            [
                *self._as,
                str(self._bin / "pg_ctl"),
                "-D",
                str(self._data),
                "-l",
                str(self._tmp / "log"),
                "-w",
                "-o",
                self._options,
                *args,
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> LocalPostgres:
        """Create the cluster and start the server."""
        if self._as:
            shutil.chown(self._tmp, "postgres")
        subprocess.run(
            [
                *self._as,
                str(self._bin / "initdb"),
                "-D",
                str(self._data),
                "-A",
                "trust",
                "-U",
                "poflow",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        extra = [a for a in self._listen if a != "127.0.0.1"]
        if extra:  # the other addresses it listens on may connect as on loopback (trust)
            with (self._data / "pg_hba.conf").open("a", encoding="utf-8") as hba:
                nets = [ipaddress.ip_interface(f"{a}/24").network for a in extra]
                hba.writelines(f"host all all {net} trust\n" for net in nets)
        self.ctl("start")
        return self

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        subprocess.run(
            [
                *self._as,
                str(self._bin / "pg_ctl"),
                "-D",
                str(self._data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def admin_sql(base: str, sql: str) -> None:
    """Run one statement on the server's `postgres` database, outside a transaction."""
    import psycopg

    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(sql)
