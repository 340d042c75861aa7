"""GES-2's reading of "uiterlijk twee dagen van te voren", as configured per municipality."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from poflow.runtime import _runtime, get_runtime
from poflow.settings import get_settings
from tests.conversations.support import HIRE, KB, add_kb_staff, plan_cycle_only, steps_of

START = date(2027, 3, 17)  # richtgesprek on Monday 3 May 2027


def test_ges_2_pop_form_is_due_two_calendar_days_before_by_default(sqlite_runtime: Any) -> None:
    """With the shipped configuration the POP form of a Monday richtgesprek is due two calendar
    days before, Saturday, so the working day before that: Friday 30 April 2027."""
    add_kb_staff(sqlite_runtime, hire_start=START)
    plan_cycle_only(sqlite_runtime, date(2027, 3, 1))
    steps = steps_of(sqlite_runtime, HIRE)
    assert steps["ges:1:richtgesprek"].due_date == date(2027, 5, 3)
    assert steps["ges:1:pop"].due_date == date(2027, 4, 30)


def test_ges_2_a_municipality_may_count_working_days(
    sqlite_runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Configured as werkdagen, the same richtgesprek has its POP deadline on Thursday 29 April."""
    config = tmp_path / "config"
    shutil.copytree(get_settings().config_dir, config)
    yaml = config / KB / "conversations.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "pop_deadline_counted_in: kalenderdagen" in text
    yaml.write_text(text.replace("counted_in: kalenderdagen", "counted_in: werkdagen"), "utf-8")
    monkeypatch.setenv("POFLOW_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    _runtime.cache_clear()
    rt = get_runtime()
    add_kb_staff(rt, hire_start=START)
    plan_cycle_only(rt, date(2027, 3, 1))
    assert steps_of(rt, HIRE)["ges:1:pop"].due_date == date(2027, 4, 29)
