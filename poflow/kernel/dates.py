"""Dates as people type them, and which start dates are acceptable: pure, for the CLI and imports.

One parser for every date a person gives poflow (a CLI option, an import cell): ISO
(`2027-04-01`) or the Dutch day-month-year of spreadsheets (`1-4-2027`, `01-04-2027`).
"""

from __future__ import annotations

import re
from datetime import date

from poflow.kernel.calendar import WorkCalendar

__all__ = ["DATE_FORMATS", "parse_date", "start_date_problem"]

DATE_FORMATS = "YYYY-MM-DD or D-M-YYYY"  # what the messages say is expected
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DUTCH = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_YEARS = range(2000, 2101)


def parse_date(text: str) -> date:
    """`text` as a date: `2027-04-01`, `1-4-2027` or `01-04-2027`; else a ValueError whose
    message ("is not a date (...)") follows the value in the caller's message.

    Surrounding spaces are ignored; two-digit years, slashes and dates outside 2000-2100 are
    refused (a day-month mix-up should not pass as another date)."""
    value = text.strip()
    if match := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DUTCH.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(f"is not a date (expected {DATE_FORMATS})")
    if year not in _YEARS:
        raise ValueError("is not a date (the year must be 2000 to 2100)")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"is not a date (no such day; expected {DATE_FORMATS})") from None


def start_date_problem(
    start: date,
    calendar: WorkCalendar,
    *,
    today: date | None,
    allow_non_working_day: bool = False,
    allow_past: bool = False,
) -> str | None:
    """What is wrong with `start` as a start date, or None: a day that is not worked (weekend,
    CAO holiday, closing day) or a day before `today` (not checked when `today` is None), each
    unless explicitly allowed."""
    if not allow_past and today is not None and start < today:
        return f"{start.isoformat()} is in the past (today is {today.isoformat()})"
    if not allow_non_working_day and not calendar.is_working_day(start):
        why = calendar.holiday_name(start) or ("Saturday", "Sunday")[start.weekday() - 5]
        return f"{start.isoformat()} is not a working day ({why})"
    return None
