"""Fixtures of the introduction tests: a runtime on a copy of a migrated SQLite file, and a
registry with only the hires and introduction processes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poflow import runtime
from poflow.db.session import upgrade_schema
from poflow.engine import Registry
from poflow.hires.process import SPEC as HIRES
from poflow.introduction.process import SPEC as INTRODUCTION
from poflow.settings import get_settings


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session, copied by each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("int-template") / "template.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_sqlite_template: Path, smtp: Any
) -> Iterator[runtime.Runtime]:
    """The poflow runtime on a fresh copy of a migrated SQLite file (database not the subject)."""
    shutil.copy(migrated_sqlite_template, tmp_path / "poflow.db")
    sqlite_url = f"sqlite:///{tmp_path / 'poflow.db'}"

    for key, value in {
        "POFLOW_DATABASE_URL": sqlite_url,
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    runtime._runtime.cache_clear()
    yield runtime.get_runtime()
    get_settings.cache_clear()
    runtime._runtime.cache_clear()


@pytest.fixture
def int_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dispatcher with only the introduction process (and calendar cancellations) registered.

    Other processes' planners and handlers are left out so that a simulated year stays fast;
    everything of INT runs exactly as registered.
    """
    only = Registry.build([HIRES, INTRODUCTION])
    monkeypatch.setattr(runtime, "_registry", lambda: only)
