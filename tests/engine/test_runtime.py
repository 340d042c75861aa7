"""Tests of the wiring for one process (poflow.runtime)."""

from __future__ import annotations

import gc
from typing import Any

import poflow.engine


def test_the_first_runtime_takes_startup_objects_out_of_the_collectors_scans(runtime: Any):
    """Once a runtime is built, objects alive since startup (a module's namespace) are frozen."""
    assert gc.get_freeze_count() > 0
    assert not any(tracked is poflow.engine.__dict__ for tracked in gc.get_objects())
