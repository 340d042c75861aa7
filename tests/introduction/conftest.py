"""Fixtures of the introduction tests: a registry with only the hires and introduction
processes (the SQLite runtime comes from tests/conftest.py)."""

from __future__ import annotations

import pytest

from poflow import runtime
from poflow.engine import Registry
from poflow.hires.process import SPEC as HIRES
from poflow.introduction.process import SPEC as INTRODUCTION


@pytest.fixture
def int_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dispatcher with only the introduction process (and calendar cancellations) registered.

    Other processes' planners and handlers are left out so that a simulated year stays fast;
    everything of INT runs exactly as registered.
    """
    only = Registry.build([HIRES, INTRODUCTION])
    monkeypatch.setattr(runtime, "_registry", lambda: only)
