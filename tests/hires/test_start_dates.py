"""Tests of start dates given at the command line and in imports (issue 22, item 16): a day that
is not worked or lies in the past is refused naming the row or option, unless explicitly allowed;
Dutch day-month-year dates are read as ISO ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from poflow.cli import app
from poflow.db.models import AuditEntry, Hire
from tests.conftest import EXAMPLES

runner = CliRunner()
HEADER = (EXAMPLES / "hires.csv").read_text().splitlines()[0]
ROW = (
    "NH-2099-0{n},Sanne,Vos,sanne{n}.vos@example.org,sanne{n}.vos@hardenberg.example.nl,Ruimte,"
    "Adviseur,HB-0004,HB-0005,vast,,{start},hardenberg"
)


def _hires(path: Path, *starts: str) -> Path:
    rows = [ROW.format(n=n, start=s) for n, s in enumerate(starts, start=1)]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def _start_dates(rt: Any) -> dict[str, date]:
    with rt.factory() as session:
        return {h.id: h.start_date for h in session.scalars(select(Hire).order_by(Hire.id))}


def test_dates_import_refuses_a_saturday_and_a_past_start_naming_row_and_column(
    runtime: Any, tmp_path: Path
) -> None:
    """`poflow import hires` refuses a Saturday and a past start date by row and column and
    writes nothing; the options allow them, and Dutch dates are read as ISO ones."""
    assert runner.invoke(app, ["import", "staff", str(EXAMPLES / "staff.csv")]).exit_code == 0
    path = _hires(tmp_path / "hires.csv", "5-1-2099", "03-01-2099", "2026-12-01")
    refused = runner.invoke(app, ["import", "hires", str(path)])
    assert refused.exit_code == 1
    problems = str(refused.exception)
    assert "row 3, column 'start_date': 2099-01-03 is not a working day (Saturday)" in problems
    assert "row 4, column 'start_date': 2026-12-01 is in the past" in problems
    assert "row 2" not in problems  # 5-1-2099 is Monday 5 January 2099
    assert _start_dates(runtime) == {}
    allowed = runner.invoke(
        app, ["import", "hires", str(path), "--allow-non-working-day", "--allow-past"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert _start_dates(runtime) == {
        "NH-2099-01": date(2099, 1, 5),
        "NH-2099-02": date(2099, 1, 3),
        "NH-2099-03": date(2026, 12, 1),
    }
    again = runner.invoke(app, ["import", "hires", str(path)])  # unchanged rows are not re-judged
    assert again.exit_code == 0, again.output
    assert "3 unchanged" in again.output


def test_dates_hire_move_refuses_a_holiday_or_past_date_unless_allowed(
    runtime: Any, tmp_path: Path
) -> None:
    """`poflow hire move` refuses Koningsdag and a past date naming --start-date, changes
    nothing, and moves with the explicit option; `1-2-2100` is read as 1 February 2100."""
    assert runner.invoke(app, ["import", "staff", str(EXAMPLES / "staff.csv")]).exit_code == 0
    path = _hires(tmp_path / "hires.csv", "2099-01-05")
    assert runner.invoke(app, ["import", "hires", str(path)]).exit_code == 0
    hire = "NH-2099-01"
    holiday = runner.invoke(app, ["hire", "move", hire, "--start-date", "27-4-2099"])
    assert holiday.exit_code == 1
    assert str(holiday.exception) == (
        "Cannot move hire NH-2099-01 (--start-date): 2099-04-27 is not a working day (Koningsdag)."
    )
    past = runner.invoke(app, ["hire", "move", hire, "--start-date", "2026-12-01"])
    assert past.exit_code == 1
    assert "2026-12-01 is in the past" in str(past.exception)
    bad = runner.invoke(app, ["hire", "move", hire, "--start-date", "2099/04/27"])
    assert bad.exit_code == 1
    assert "--start-date: '2099/04/27' is not a date (expected YYYY-MM-DD or D-M-YYYY)" in (
        bad.output
    )
    assert _start_dates(runtime) == {hire: date(2099, 1, 5)}
    with runtime.factory() as session:
        assert not session.scalars(
            select(AuditEntry).where(AuditEntry.action == "hire.moved")
        ).all()
    allowed = runner.invoke(
        app, ["hire", "move", hire, "--start-date", "27-04-2099", "--allow-non-working-day"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert _start_dates(runtime) == {hire: date(2099, 4, 27)}
    dutch = runner.invoke(app, ["hire", "move", hire, "--start-date", "1-2-2100"])
    assert dutch.exit_code == 0, dutch.output
    assert _start_dates(runtime) == {hire: date(2100, 2, 1)}
