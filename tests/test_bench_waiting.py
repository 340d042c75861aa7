"""The benchmark's waiting-rounds section, small: waiting rounds hold no process, and a decision
moves its round on within the goal (issue 19, item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.prefect_server


def test_x_1_waiting_rounds_hold_no_process_and_a_decision_moves_one_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three suspended rounds hold no process or memory; each decided one moves on by itself."""
    from bench.waiting import measure_waiting_rounds
    from poflow.runtime import _runtime
    from poflow.settings import get_settings

    for name in ("POFLOW_DATABASE_URL", "POFLOW_DATA_DIR", "POFLOW_SMTP_HOST", "POFLOW_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)  # restored after: the helper sets its own
    monkeypatch.delenv("POFLOW_WEB_PORT", raising=False)
    monkeypatch.setenv("POFLOW_CONFIG_DIR", str(Path(__file__).resolve().parents[1] / "config"))
    monkeypatch.setenv("POFLOW_SECRET_KEY", "placeholder")  # restored after the test
    try:
        figures = measure_waiting_rounds(3, tmp_path / "waiting", sample=2)
    finally:
        get_settings.cache_clear()
        _runtime.cache_clear()
    assert "POFLOW_WEB_PORT" not in os.environ  # the helper leaves the environment as it was
    assert (figures["rounds"], figures["held_processes"], figures["held_mb"]) == (3, 0, 0.0)
    assert figures["resumed"] == 2
    assert 0 < figures["resume_median_s"] <= figures["resume_p95_s"] < 60
