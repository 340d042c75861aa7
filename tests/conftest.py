"""Real components for the tests: a SQLite file, a PostgreSQL server, an SMTP server, Prefect.

PostgreSQL: the binaries of /usr/lib/postgresql/*/bin are started once per session on a free
loopback port (as the `postgres` user when running as root, since initdb refuses root).
Set POFLOW_TEST_PG_URL to use a server of your own instead.
"""

from __future__ import annotations

import email
import email.policy
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from poflow.localpg import free_port

# Fixtures shared by many test modules, without importing them into each (each import would shadow
# the fixture it names).
pytest_plugins = ["tests.web.support", "tests.auth.oidc_support"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="poflow-prefect-home-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


# -- PostgreSQL ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The base URL (no database name) of a PostgreSQL server for this test session."""
    if url := os.environ.get("POFLOW_TEST_PG_URL"):
        yield url.rstrip("/")
        return
    from poflow.localpg import LocalPostgres

    try:
        server = LocalPostgres(options="-c max_connections=200")
    except RuntimeError as exc:
        pytest.fail(f"{exc} (run .ci/run, or set POFLOW_TEST_PG_URL)")
    with server:
        yield server.url


def create_pg_database(base: str) -> str:
    """Create a fresh database on the server and return its URL."""
    from poflow.localpg import admin_sql

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin_sql(base, f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty poflow database: a SQLite file, then a PostgreSQL database."""
    from poflow.db.session import upgrade_schema

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'poflow.db'}"
    else:
        url = create_pg_database(request.getfixturevalue("pg_server"))
    upgrade_schema(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite file only (for tests whose subject is not the database)."""
    from poflow.db.session import upgrade_schema

    url = f"sqlite:///{tmp_path / 'poflow.db'}"
    upgrade_schema(url)
    return url


# -- SMTP ---------------------------------------------------------------------------------------
class SmtpRecorder:
    """A real aiosmtpd server on loopback that keeps every message it accepts, parsed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self._lock = threading.Lock()
        self.refuse: str | None = None  # an SMTP reply to give to DATA, e.g. "451 try later"
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse:
            return self.refuse
        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def start(self) -> SmtpRecorder:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp() -> Iterator[SmtpRecorder]:
    """A running SMTP server on loopback whose received messages the test reads."""
    server = SmtpRecorder().start()
    try:
        yield server
    finally:
        server.stop()


# -- settings and runtime -----------------------------------------------------------------------
@contextmanager
def runtime_on(
    monkeypatch: pytest.MonkeyPatch, *, url: str, data_dir: Path, smtp_port: int
) -> Iterator[dict[str, str]]:
    """POFLOW_* settings pointing at `url` and an SMTP server on `smtp_port`, with the cached
    settings and runtime cleared before and after (every test runtime is made through here)."""
    from poflow.runtime import _runtime
    from poflow.settings import get_settings

    env = {
        "POFLOW_DATABASE_URL": url,
        "POFLOW_DATA_DIR": str(data_dir),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp_port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
        # `poflow login` keeps its session file here, never in the home folder of whoever tests
        "XDG_STATE_HOME": str(data_dir.parent / "state"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    _runtime.cache_clear()
    try:
        yield env
    finally:
        get_settings.cache_clear()
        _runtime.cache_clear()
        # Close the connections its pool keeps (a served app opens POOL_SIZE at start-up): a
        # session's hundreds of PostgreSQL databases must not hold the test server's slots.
        from poflow.db.session import make_engine

        make_engine(url).dispose()


@pytest.fixture
def poflow_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str, smtp: SmtpRecorder
) -> Iterator[dict[str, str]]:
    """POFLOW_* settings pointing at this test's database and SMTP server; caches cleared."""
    with runtime_on(
        monkeypatch, url=db_url, data_dir=tmp_path / "data", smtp_port=smtp.port
    ) as env:
        yield env


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session, copied by each test (migrating takes seconds)."""
    from poflow.db.session import upgrade_schema

    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_runtime(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    migrated_sqlite_template: Path,
    smtp: SmtpRecorder,
) -> Iterator[Any]:
    """The poflow runtime on a fresh copy of the migrated SQLite file and this test's SMTP
    server, for tests whose subject is not the database (like `runtime`, without PostgreSQL)."""
    import shutil

    from poflow.runtime import get_runtime

    shutil.copyfile(migrated_sqlite_template, tmp_path / "poflow.db")
    url = f"sqlite:///{tmp_path / 'poflow.db'}"
    with runtime_on(monkeypatch, url=url, data_dir=tmp_path / "data", smtp_port=smtp.port):
        yield get_runtime()


@pytest.fixture
def runtime(poflow_env: dict[str, str]) -> Any:
    """The poflow runtime (settings, configs, session factory) for this test."""
    from poflow.runtime import get_runtime

    return get_runtime()


@pytest.fixture
def example_data(runtime: Any) -> Any:
    """The shared example staff and hires, imported."""
    from poflow.importer import import_hires, import_staff

    with runtime.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", runtime.configs)
        import_hires(session, EXAMPLES / "hires.csv", runtime.configs)
    return runtime


# -- Prefect ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A real (temporary) Prefect API for the session, with the heartbeat thread off."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


def wait_for(predicate: Any, timeout: float = 10.0) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())
