"""Fixtures of the conversation-cycle tests: a SQLite database migrated once per module and a
runtime on a fresh copy of it (the database is not what these tests are about)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poflow.db.session import upgrade_schema
from poflow.runtime import Runtime, _runtime, get_runtime
from poflow.settings import get_settings


@pytest.fixture(scope="module")
def ges_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per module (`alembic upgrade heads`), copied by each test."""
    path = tmp_path_factory.mktemp("ges-template") / "poflow.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_db_url(ges_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the migrated SQLite template for one test."""
    target = tmp_path / "poflow.db"
    shutil.copyfile(ges_sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_db_url: str, smtp: Any
) -> Iterator[Runtime]:
    """A poflow runtime on a SQLite copy and the test's SMTP server (the database is not the
    subject of the test); like conftest's `runtime` without the PostgreSQL run."""
    env = {
        "POFLOW_DATABASE_URL": sqlite_db_url,
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    yield get_runtime()
    get_settings.cache_clear()
    _runtime.cache_clear()
