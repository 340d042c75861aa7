"""Tests of `poflow intro ...` and `poflow portfolio HIRE_ID` (INT-1, INT-3, INT-4, INT-5)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from poflow._exceptions import EnrolmentRefused
from poflow.cli import app
from poflow.runtime import run_day
from tests.introduction.support import (
    Spec,
    add_hires,
    plan_all,
    staff,
)
from tests.support import cli_login

pytestmark = pytest.mark.usefixtures("int_only")
RUN = CliRunner()


def _cli(*args: str) -> str:
    result = RUN.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _setup(rt: Any) -> None:
    staff(rt)
    add_hires(
        rt,
        [
            Spec("NH-C-A", "vast", None, date(2027, 2, 1)),
            Spec("NH-C-S", "detachering", 12, date(2027, 2, 1)),
        ],
    )
    run_day(rt, date(2027, 1, 25), send=False)


def test_int_4_portfolio_shows_each_item_and_the_certificates(sqlite_runtime: Any, tmp_path):
    """INT-4: after a CSV import of one e-learning, the portfolio lists it with its certificate
    and the other items with their status."""
    _setup(sqlite_runtime)
    csv = tmp_path / "lms.csv"
    csv.write_text(
        "hire_id,module,completed_on\nNH-C-A,infoveiligheid,2027-02-20\n", encoding="utf-8"
    )
    assert "1 completed" in _cli(
        "intro",
        "elearning-import",
        str(csv),
        "--municipality",
        "hardenberg",
        "--date",
        "2027-02-22",
    )
    out = _cli("portfolio", "NH-C-A")
    assert "Portfolio NH-C-A – Test Nieuw NH-C-A" in out
    assert "bewijs van deelname BVD-NH-C-A-infoveiligheid" in out
    assert "Startontwikkelgesprek" in out
    assert "open, uiterlijk maandag 2 augustus 2027" in out


def test_int_1_p_and_o_enrols_a_secondary_hire_by_command(sqlite_runtime: Any):
    """INT-1/INT-6: P&O, logged in, enrols the seconded hire, who gets the light variant; a
    person logged in who is neither P&O nor the manager is refused."""
    _setup(sqlite_runtime)
    anonymous = RUN.invoke(app, ["intro", "enrol", "NH-C-S"])
    assert anonymous.exit_code == 1
    assert "Log eerst in: poflow login" in anonymous.output
    cli_login(sqlite_runtime, "HB-0010")
    refused = RUN.invoke(app, ["intro", "enrol", "NH-C-S"])
    assert isinstance(refused.exception, EnrolmentRefused)  # facilitair: neither P&O nor manager
    cli_login(sqlite_runtime, "HB-0003")
    out = _cli("intro", "enrol", "NH-C-S")
    assert "secundair, variant light" in out
    assert _cli("portfolio", "NH-C-S").count("[") == 3


def test_int_3_session_overview_and_attendance_by_command(sqlite_runtime: Any):
    """INT-3: P&O lists sessions, sees who was invited (with names), and records attendance."""
    rt = sqlite_runtime
    _setup(rt)
    plan_all(rt, date(2027, 2, 8), ("start",))
    out = _cli("intro", "sessions", "--municipality", "hardenberg", "--from", "2027-02-01")
    assert "2027-02-22  Startbijeenkomst" in out
    assert "invited 1" in out
    session_id = out.split("#")[1].split()[0]
    assert "Test Nieuw NH-C-A" in _cli(
        "intro", "session", session_id, "--municipality", "hardenberg"
    )
    early = RUN.invoke(
        app,
        [
            "intro",
            "attendance",
            session_id,
            "--present",
            "NH-C-A",
            "--municipality",
            "hardenberg",
            "--date",
            "2027-02-19",
        ],
    )
    assert early.exit_code != 0  # before the session took place
    out = _cli(
        "intro",
        "attendance",
        session_id,
        "--present",
        "NH-C-A",
        "--municipality",
        "hardenberg",
        "--date",
        "2027-02-23",
    )
    assert "1 present, 0 absent" in out
    assert "attended 1" in _cli(
        "intro", "sessions", "--municipality", "hardenberg", "--from", "2027-02-01"
    )
