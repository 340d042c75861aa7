"""What the tests of a hire's actions share (issue 21, WS-ACTIONS): Noor Bakker (NH-2027-003)
starting a few working days from poflow's today, welcomed and invited by today's dispatcher
pass, and dates relative to today, so the pages use the one today of poflow
(`poflow.kernel.calendar.today`) as the CLI does, on whatever day the suite runs."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from poflow.db.models import Hire, Step
from poflow.kernel.calendar import today
from poflow.runtime import run_day
from poflow.states import StepState

NOOR = "NH-2027-003"  # Noor Bakker, team Ruimtelijk domein; buddy Esra (HB-0005), manager Dirk
START_IN = 3  # working days from today: inside the welcome's 5, so it goes out today (ONB-2)


def calendar(rt: Any) -> Any:
    """Hardenberg's working-day calendar."""
    return rt.config("hardenberg").calendar


def noor_starts_soon(rt: Any) -> date:
    """Noor's start date becomes START_IN working days from today, and the dispatcher pass of
    the last working day up to today runs: her welcome, her items and her appointments'
    invitations are out. Her start date."""
    start = calendar(rt).add_working_days(today(), START_IN)
    with rt.factory() as db, db.begin():
        db.execute(
            update(Hire).where(Hire.id == NOOR).values(start_date=start, first_working_day=start)
        )
    run_day(rt, calendar(rt).previous_working_day(today()), municipality="hardenberg")
    return start


def told_by_today(rt: Any) -> None:
    """What a change queued today has gone out: actions wait for a working day (the dispatcher
    performs nothing on a weekend or holiday), so on such a day the next working day's pass
    runs; on a working day nothing more runs (the page's own pass must have sent it)."""
    if not calendar(rt).is_working_day(today()):
        run_day(rt, calendar(rt).next_working_day(today()), municipality="hardenberg")


def later_working_day(rt: Any, start: date) -> date:
    """A working day a month after `start`: a move's new start date."""
    return calendar(rt).next_working_day(start + timedelta(days=30))


def saturday_after(day: date) -> date:
    """The first Saturday after `day`."""
    return day + timedelta(days=(5 - day.weekday()) % 7 or 7)


def dmy(day: date) -> str:
    """A date as a P&O adviser types it: 1-4-2027."""
    return f"{day.day}-{day.month}-{day.year}"


def open_item_of(rt: Any, owner: str) -> int:
    """The id of an open checklist item of Noor's owned by `owner`."""
    with rt.factory() as db:
        step = db.scalars(
            select(Step)
            .where(
                Step.case_id == NOOR,
                Step.key.startswith("onb:"),
                Step.state == StepState.OPEN,
                Step.owner_id == owner,
            )
            .order_by(Step.due_date, Step.id)
        ).first()
        assert step is not None, owner
        return step.id


def csrf_of(html: str) -> str:
    """The action form's CSRF value (the last form's; the menu's logout form comes first)."""
    return re.findall(r'name="csrf" value="([^"]+)"', html)[-1]
