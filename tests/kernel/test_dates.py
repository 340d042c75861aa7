"""Tests of the one date parser and the start-date rule (issue 22, item 16)."""

from __future__ import annotations

from datetime import date

import pytest

from poflow.kernel.calendar import WorkCalendar
from poflow.kernel.dates import parse_date, start_date_problem

CAL = WorkCalendar()


class TestParseDate:
    """Dates as Dutch spreadsheets and people write them."""

    @pytest.mark.parametrize("text", ["2027-04-01", "1-4-2027", "01-04-2027", " 1-04-2027 "])
    def test_dates_dutch_day_month_year_reads_as_iso(self, text: str) -> None:
        """`1-4-2027` and `01-04-2027` are 1 April 2027, as `2027-04-01` is."""
        assert parse_date(text) == date(2027, 4, 1)

    @pytest.mark.parametrize(
        "text",
        ["", "2027-4-1", "1/4/2027", "1-4-27", "4-1-2027x", "31-4-2027", "2027-02-30", "1-4-1999"],
    )
    def test_dates_anything_else_is_refused_with_the_expected_forms(self, text: str) -> None:
        """Slashes, two-digit years, impossible days and years before 2000 are not a date."""
        with pytest.raises(ValueError, match="is not a date"):
            parse_date(text)


class TestStartDateProblem:
    """A start date is a working day, not in the past, unless explicitly allowed."""

    def test_dates_a_saturday_start_is_refused_naming_the_day(self) -> None:
        """Saturday 3 April 2027 is not a working day; with the allowance it passes."""
        saturday = date(2027, 4, 3)
        assert start_date_problem(saturday, CAL, today=None) == (
            "2027-04-03 is not a working day (Saturday)"
        )
        assert start_date_problem(saturday, CAL, today=None, allow_non_working_day=True) is None

    def test_dates_a_cao_holiday_start_is_refused_naming_the_holiday(self) -> None:
        """Koningsdag 2027 is named; Good Friday (a CAO working day) is accepted."""
        assert start_date_problem(date(2027, 4, 27), CAL, today=None) == (
            "2027-04-27 is not a working day (Koningsdag)"
        )
        assert start_date_problem(date(2027, 3, 26), CAL, today=None) is None

    def test_dates_a_past_start_is_refused_unless_allowed(self) -> None:
        """A start before today is refused; today itself and an allowed past date pass."""
        today = date(2027, 3, 3)
        assert start_date_problem(date(2027, 3, 1), CAL, today=today) == (
            "2027-03-01 is in the past (today is 2027-03-03)"
        )
        assert start_date_problem(today, CAL, today=today) is None
        assert start_date_problem(date(2027, 3, 1), CAL, today=today, allow_past=True) is None
