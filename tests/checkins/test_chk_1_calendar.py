"""CHK-1 against the CAO calendar: hires who start on a day that is not worked get their
check-ins from their first working day (issue 22, item 12).

The rule book's calendar (PROCESSES.md, "Dates"): the CAO Gemeenten holidays, Bevrijdingsdag
(5 May) every year, Goede Vrijdag a working day. Each start date below is chosen so that planning
from the start date itself, or a generic Dutch holiday list (Good Friday off, 5 May only in a
lustrum year), gives other dates.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from poflow.db.models import Hire, Step
from poflow.importer import import_hires, import_staff
from poflow.kernel.calendar import TZ
from poflow.runtime import run_day
from tests.conftest import EXAMPLES

HEADER = (EXAMPLES / "hires.csv").read_text().splitlines()[0]
ROW = (
    "{id},Sanne,Vos,{id}@example.org,{id}@hardenberg.example.nl,Ruimte,Adviseur,HB-0004,"
    "HB-0005,vast,,{start},hardenberg"
)

# hire id: (start date, first working day, check-ins at 1, 3 and 8 months)
CASES = {
    # Saturday 29 May 2027 -> Monday 31 May; from the Saturday they would be 29 Jun, 30 Aug, 31 Jan.
    "CHK-ZAT": (
        date(2027, 5, 29),
        date(2027, 5, 31),
        [date(2027, 6, 30), date(2027, 8, 31), date(2028, 1, 31)],
    ),
    # Koningsdag, Tuesday 27 April 2027 -> Wednesday 28 April.
    "CHK-KON": (
        date(2027, 4, 27),
        date(2027, 4, 28),
        [date(2027, 5, 28), date(2027, 7, 28), date(2027, 12, 28)],
    ),
    # 5 May 2027, not a lustrum year: still Bevrijdingsdag under the CAO, and 6 May is
    # Hemelvaartsdag -> Friday 7 May. (7 Aug 2027 is a Saturday -> Monday 9 Aug.)
    "CHK-BEV": (
        date(2027, 5, 5),
        date(2027, 5, 7),
        [date(2027, 6, 7), date(2027, 8, 9), date(2028, 1, 7)],
    ),
    # Goede Vrijdag, 26 March 2027: a working day under the CAO, so the first day itself.
    "CHK-GVR": (
        date(2027, 3, 26),
        date(2027, 3, 26),
        [date(2027, 4, 26), date(2027, 6, 28), date(2027, 11, 26)],
    ),
}


@pytest.fixture
def odd_starts(sqlite_runtime: Any, tmp_path: Path) -> Any:
    """The four hires above, imported with P&O's explicit allowance for a non-working start."""
    rt = sqlite_runtime
    rows = [ROW.format(id=hid, start=f"{start:%d-%m-%Y}") for hid, (start, *_) in CASES.items()]
    path = tmp_path / "hires.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, path, rt.configs, allow_non_working_day=True)
    run_day(rt, date(2027, 3, 1), municipality="hardenberg", send=False)
    return rt


def _checkins(rt: Any, hire_id: str) -> list[Step]:
    with rt.factory() as session:
        return list(
            session.scalars(
                select(Step)
                .where(Step.case_id == hire_id, Step.process == "chk")
                .order_by(Step.due_date)
            )
        )


@pytest.mark.parametrize("hire_id", list(CASES))
def test_chk_1_check_ins_count_from_the_first_working_day_of_an_odd_start(
    odd_starts: Any, hire_id: str
) -> None:
    """A hire starting on a Saturday, Koningsdag, 5 May outside a lustrum year or Good Friday
    has the check-ins 1, 3 and 8 months after the CAO calendar's first working day."""
    start, first_day, talks = CASES[hire_id]
    with odd_starts.factory() as session:
        hire = session.get_one(Hire, hire_id)
        assert (hire.start_date, hire.first_working_day) == (start, first_day)
    steps = _checkins(odd_starts, hire_id)
    assert [s.key for s in steps] == ["checkin:1", "checkin:3", "checkin:8"]
    assert [s.due_date for s in steps] == talks
    assert [s.starts_at.astimezone(TZ).date() for s in steps if s.starts_at] == talks
