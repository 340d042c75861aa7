"""Fixtures of the recruitment tests: one SQLite database and SMTP server per test module, the
runtime on it, and the runtime on both databases with the example staff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from poflow.db.session import upgrade_schema
from tests.conftest import SmtpRecorder
from tests.recruitment.support import import_example_staff, sqlite_runtime


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """One migrated SQLite database and SMTP server for a whole test module (speed).

    Each test opens its own round, so tests do not see each other's state.
    """
    tmp = tmp_path_factory.mktemp("recruitment")
    url = f"sqlite:///{tmp / 'poflow.db'}"
    upgrade_schema(url)
    server = SmtpRecorder().start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for rt in sqlite_runtime(mp, tmp, url, server):
                yield rt, server
    finally:
        server.stop()


@pytest.fixture
def rt(shared: tuple[Any, Any]) -> Any:
    """The module's SQLite runtime with the example staff (each test opens its own round)."""
    return shared[0]


@pytest.fixture
def mails(shared: tuple[Any, Any]) -> Any:
    """The module's SMTP server."""
    return shared[1]


@pytest.fixture
def both_dbs(runtime: Any) -> Any:
    """The runtime on SQLite and on PostgreSQL, with the example staff imported."""
    import_example_staff(runtime)
    return runtime
