"""Fixtures of the onboarding tests: the runtime on a fresh copy of a migrated SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; tests copy it (migrating takes seconds)."""
    from poflow.db.session import upgrade_schema

    path = tmp_path_factory.mktemp("onb-template") / "poflow.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_sqlite: Path, smtp: Any
) -> Iterator[Any]:
    """The poflow runtime on a fresh copy of the migrated SQLite file and the test SMTP server."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    shutil.copyfile(migrated_sqlite, tmp_path / "poflow.db")
    sqlite_url = f"sqlite:///{tmp_path / 'poflow.db'}"
    for key, value in {
        "POFLOW_DATABASE_URL": sqlite_url,
        "POFLOW_DATA_DIR": str(tmp_path / "d"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    yield get_runtime()
    get_settings.cache_clear()
    _runtime.cache_clear()
