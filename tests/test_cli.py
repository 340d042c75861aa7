"""Tests of the `poflow` command line: help, import errors, tick, check-ins, moves."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from poflow.cli import _Poflow, app
from poflow.cli_lazy import load
from poflow.db.models import Hire, Step
from poflow.processes import PROCESSES
from poflow.states import HireState, StepState
from tests.conftest import EXAMPLES, SmtpRecorder
from tests.support import cli_login, move_talk

runner = CliRunner()
# The example hires start in 2027; the suite keeps working once those dates are past.
PAST_OK = {"staff": [], "hires": ["--allow-past"]}


def test_help_explains_every_command_in_plain_words():
    """`poflow --help` lists the commands with a sentence each."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("import", "tick", "checkin", "hire", "serve", "demo", "db", "config"):
        assert command in result.output
    tick_help = runner.invoke(app, ["tick", "--help"]).output
    assert "--date" in tick_help
    assert "--until" in tick_help
    assert "sends nothing" in tick_help


def _first_line(command: Any) -> str:
    text = command.help or ""
    return " ".join(text.strip().split("\n\n")[0].split())


def test_the_help_table_names_every_process_command_in_order_with_its_own_help():
    """`poflow --help` lists, without importing them, exactly the commands the processes
    declare (in the order of PROCESSES) and the other groups, each with its own help's first
    sentence: the table in poflow/cli.py cannot drift from what the modules declare."""
    declared = [(name, spec.name) for spec in PROCESSES for name, _ in spec.cli]
    tabled = [
        (name, importlib.import_module(lazy.module).SPEC.name)
        for name, lazy in _Poflow.table.items()
        if lazy.attr is None
    ]
    assert tabled == declared
    for name, lazy in _Poflow.table.items():
        assert _first_line(load(name, lazy)) == lazy.help, name


def test_help_imports_no_database_prefect_or_process_code():
    """`poflow --help` answers from the table alone: SQLAlchemy, Prefect, pydantic-settings
    and the process packages stay unimported (it took 2-3 s when it imported them)."""
    probe = (
        "import sys\n"
        "from poflow.cli import main\n"
        "sys.argv = ['poflow', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('sqlalchemy', 'prefect', 'pydantic_settings', 'poflow.processes',"
        " 'poflow.runtime', 'poflow.checkins')\n"
        "print('IMPORTED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert "Commands" in result.stdout
    assert "IMPORTED []" in result.stdout, result.stdout[-400:]


def test_config_check_reports_each_municipality(poflow_env: dict[str, str]):
    """`poflow config check` loads every municipality."""
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "kaag-en-braassem: Gemeente Kaag en Braassem" in result.output


def test_a_bad_hires_file_exits_1_naming_row_and_column(
    poflow_env: dict[str, str], tmp_path: Path, runtime: Any
):
    """Importing a file with a bad date fails with the row and column, and writes nothing."""
    assert runner.invoke(app, ["import", "staff", str(EXAMPLES / "staff.csv")]).exit_code == 0
    bad = tmp_path / "hires.csv"
    bad.write_text(
        (EXAMPLES / "hires.csv")
        .read_text()
        .replace("2027-03-01,hardenberg", "2027-13-01,hardenberg", 1)
    )
    result = runner.invoke(app, ["import", "hires", str(bad)])
    assert result.exit_code == 1
    assert "row 4, column 'start_date': '2027-13-01' is not a date" in str(result.exception)
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Hire)) == 0


def test_x_1_a_dry_run_shows_each_row_and_writes_nothing(
    poflow_env: dict[str, str], tmp_path: Path, runtime: Any
):
    """`poflow import hires --dry-run` prints per row what would happen and every problem,
    exits 1 for a file the import would refuse, and writes nothing."""
    assert runner.invoke(app, ["import", "staff", str(EXAMPLES / "staff.csv")]).exit_code == 0
    staff = runner.invoke(app, ["import", "staff", "--dry-run", str(EXAMPLES / "staff.csv")])
    assert staff.exit_code == 0, staff.output
    assert "row 2 HB-0001: unchanged" in staff.output
    bad = tmp_path / "hires.csv"
    bad.write_text(
        (EXAMPLES / "hires.csv")
        .read_text()
        .replace("2027-03-01,hardenberg", "2027-13-01,hardenberg", 1)
    )
    result = runner.invoke(app, ["import", "hires", "--dry-run", "--allow-past", str(bad)])
    assert result.exit_code == 1
    assert "row 2 NH-2027-001: new" in result.output
    assert "row 4 NH-2027-003: refused (column 'start_date': '2027-13-01' is not a date" in (
        result.output
    )
    assert "nothing was written" in result.output
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Hire)) == 0


@pytest.mark.usefixtures("prefect_harness")
def test_tick_twice_for_a_day_sends_nothing_the_second_time(
    poflow_env: dict[str, str], smtp: SmtpRecorder
):
    """`poflow tick --date D` run twice sends the day's mail once."""
    for kind in ("staff", "hires"):
        assert (
            runner.invoke(
                app, ["import", kind, str(EXAMPLES / f"{kind}.csv"), *PAST_OK[kind]]
            ).exit_code
            == 0
        )
    first = runner.invoke(app, ["tick", "--date", "2027-01-04"])
    second = runner.invoke(app, ["tick", "--date", "2027-01-04"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    sent = int(re.search(r"(\d+) mail\(s\) sent", first.output).group(1))
    assert "0 mail(s) sent" in second.output
    assert len(smtp.messages) == sent
    # eleven talks within the contracts, the leidinggevende invited at once (CHK-2)
    assert len([m for m in smtp.messages if "Uitnodiging: bijpraatmoment" in m["Subject"]]) == 11


@pytest.mark.usefixtures("prefect_harness")
def test_tick_until_runs_every_day_in_order(poflow_env: dict[str, str], smtp: SmtpRecorder):
    """`--until` simulates each day from --date in one flow run, reminders on their day."""
    for kind in ("staff", "hires"):
        runner.invoke(app, ["import", kind, str(EXAMPLES / f"{kind}.csv"), *PAST_OK[kind]])
    result = runner.invoke(
        app,
        ["tick", "--date", "2027-02-22", "--until", "2027-02-26", "--municipality", "hardenberg"],
    )
    assert result.exit_code == 0, result.output
    assert "2027-02-22:" in result.output
    assert "2027-02-25:" in result.output
    assert "5 day(s)" in result.output
    reminders = [m for m in smtp.messages if "Herinnering: bijpraatmoment" in m["Subject"]]
    assert sorted(str(m["To"]).split("<")[-1] for m in reminders) == [
        "dirk.mulder@hardenberg.example.nl>",
        "lotte.hendriks@hardenberg.example.nl>",
    ]


def test_tick_refuses_bad_dates_and_unknown_municipalities(poflow_env: dict[str, str]):
    """A malformed date, a reversed range or an unknown municipality exit 1 with the reason."""
    result = runner.invoke(app, ["tick", "--date", "24/11/2026"])
    assert result.exit_code == 1
    assert "not a date (expected YYYY-MM-DD or D-M-YYYY)" in result.output
    result = runner.invoke(app, ["tick", "--date", "2027-02-02", "--until", "2027-02-01"])
    assert result.exit_code == 1
    assert "is before --date" in result.output
    result = runner.invoke(app, ["tick", "--municipality", "atlantis"])
    assert result.exit_code == 1
    assert "atlantis" in str(result.exception)


def test_chk_2_checkin_held_and_onb_5_hire_move_and_cancel_from_the_cli(
    poflow_env: dict[str, str], runtime: Any
):
    """The fallback commands record a talk (as the leidinggevende logged in, on its date), move
    a start date and cancel a hire."""
    from poflow.kernel.calendar import today
    from poflow.runtime import run_day

    for kind in ("staff", "hires"):
        runner.invoke(app, ["import", kind, str(EXAMPLES / f"{kind}.csv"), *PAST_OK[kind]])
    run_day(runtime, date(2027, 1, 4), send=False)
    cli_login(runtime, "HB-0004")
    move_talk(runtime, "NH-2027-001", 1, today())
    held = runner.invoke(app, ["checkin", "held", "NH-2027-001", "1", "--note", "Goed gesprek"])
    assert held.exit_code == 0, held.output
    moved = runner.invoke(app, ["hire", "move", "NH-2027-002", "--start-date", "2027-03-01"])
    assert moved.exit_code == 0, moved.output
    cancelled = runner.invoke(app, ["hire", "cancel", "NH-2027-004"])
    assert cancelled.exit_code == 0, cancelled.output
    unknown = runner.invoke(app, ["hire", "cancel", "NH-0000-000"])
    assert unknown.exit_code == 1
    assert "NH-0000-000 does not exist" in str(unknown.exception)
    with runtime.factory() as session:
        step = session.scalar(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        )
        assert step.state == StepState.DONE
        assert step.done_by == "HB-0004"
        milan = session.get(Hire, "NH-2027-002")
        assert milan.start_date == date(2027, 3, 1)
        assert milan.version == 2
        assert session.get(Hire, "NH-2027-004").state == HireState.CANCELLED
