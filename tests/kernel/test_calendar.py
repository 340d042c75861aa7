"""Tests of the working-day calendar: CAO Gemeenten holidays, closing days, date offsets."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from poflow.kernel.calendar import WorkCalendar, add_months, cao_holidays, easter_sunday

CAL = WorkCalendar()
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def test_cao_holidays_2027_are_exactly_the_eight_days_of_the_rule_book():
    """The 2027 list holds exactly the eight CAO Gemeenten holidays on their dates."""
    assert cao_holidays(2027) == {
        date(2027, 1, 1): "Nieuwjaarsdag",
        date(2027, 3, 29): "Tweede paasdag",
        date(2027, 4, 27): "Koningsdag",
        date(2027, 5, 5): "Bevrijdingsdag",
        date(2027, 5, 6): "Hemelvaartsdag",
        date(2027, 5, 17): "Tweede pinksterdag",
        date(2027, 12, 25): "Eerste kerstdag",
        date(2027, 12, 26): "Tweede kerstdag",
    }


def test_good_friday_is_a_working_day():
    """Goede Vrijdag is worked under the CAO, unlike generic Dutch holiday lists."""
    good_friday = easter_sunday(2027) - timedelta(days=2)
    assert good_friday == date(2027, 3, 26)
    assert CAL.is_working_day(good_friday)


def test_liberation_day_is_a_holiday_every_year_not_only_every_fifth():
    """5 May is a holiday in 2026, 2027 and 2028 alike."""
    for year in (2026, 2027, 2028, 2029):
        assert date(year, 5, 5) in cao_holidays(year)


def test_kings_day_moves_to_saturday_when_27_april_is_a_sunday():
    """Koningsdag 2025 fell on Saturday 26 April because 27 April was a Sunday."""
    assert date(2025, 4, 26) in cao_holidays(2025)
    assert date(2025, 4, 27) not in cao_holidays(2025)


def test_ascension_on_liberation_day_keeps_both_names():
    """In 2005 Hemelvaart fell on 5 May: one date, both holidays named."""
    assert cao_holidays(2005)[date(2005, 5, 5)] == "Bevrijdingsdag / Hemelvaartsdag"


def test_easter_dates_match_known_years():
    """Easter Sunday is right for a handful of known years."""
    known = {
        2024: date(2024, 3, 31),
        2025: date(2025, 4, 20),
        2026: date(2026, 4, 5),
        2027: date(2027, 3, 28),
        2038: date(2038, 4, 25),
    }
    assert {y: easter_sunday(y) for y in known} == known


def test_closing_days_from_config_are_not_worked():
    """A municipality's closing day between Christmas and New Year is skipped."""
    cal = WorkCalendar([date(2027, 12, 27)])
    assert not cal.is_working_day(date(2027, 12, 27))
    assert cal.holiday_name(date(2027, 12, 27)) == "Sluitingsdag"
    assert cal.next_working_day(date(2027, 12, 24) + timedelta(days=1)) == date(2027, 12, 28)


def test_a_start_date_on_a_weekend_moves_to_the_next_working_day():
    """The first working day of a Saturday start is the Monday after."""
    assert CAL.first_working_day(date(2027, 2, 6)) == date(2027, 2, 8)


def test_month_offsets_count_from_the_first_working_day_and_roll_forward():
    """One month after Monday 1 Feb 2027 is Monday 1 Mar; 3 months lands on 3 May (a Monday)."""
    assert CAL.months_after(date(2027, 2, 1), 1) == date(2027, 3, 1)
    assert CAL.months_after(date(2027, 2, 1), 3) == date(2027, 5, 3)
    # 1 April 2027 + 1 month = 1 May 2027, a Saturday -> Monday 3 May
    assert CAL.months_after(date(2027, 4, 1), 1) == date(2027, 5, 3)


def test_month_offsets_clip_to_the_end_of_a_short_month():
    """31 January plus one month is 28 February, not 3 March."""
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_working_days_skip_weekends_and_holidays():
    """Two working days before Friday 7 May 2027 skip Hemelvaart (6 May) and 5 May: Monday 3 May."""
    assert CAL.add_working_days(date(2027, 5, 7), -2) == date(2027, 5, 3)
    assert CAL.add_working_days(date(2027, 5, 4), 1) == date(2027, 5, 7)
    assert CAL.add_working_days(date(2027, 4, 30), 1) == date(2027, 5, 3)


@given(days, st.integers(min_value=-60, max_value=60))
def test_adding_working_days_always_lands_on_a_working_day(day: date, n: int):
    """Any non-zero working-day offset lands on a working day, in the right direction."""
    result = CAL.add_working_days(day, n)
    assert CAL.is_working_day(result)
    if n > 0:
        assert result > day
    elif n < 0:
        assert result < day


@given(days, st.integers(min_value=1, max_value=40))
def test_working_day_offsets_count_exactly_n_working_days(day: date, n: int):
    """Between a day and n working days later lie exactly n working days."""
    assert CAL.working_days_between(day, CAL.add_working_days(day, n)) == n


@given(days, st.integers(min_value=0, max_value=24))
def test_month_offsets_land_on_a_working_day_within_a_week_of_the_calendar_date(day: date, m: int):
    """N months after any day is a working day at most a few days after the plain date."""
    plain = add_months(day, m)
    result = CAL.months_after(day, m)
    assert CAL.is_working_day(result)
    assert timedelta(0) <= result - plain <= timedelta(days=5)


@given(st.integers(min_value=2000, max_value=2099))
def test_every_year_has_exactly_eight_cao_holidays_and_no_good_friday(year: int):
    """Each year names all eight holidays (two may share a date); Good Friday is never one."""
    holidays = cao_holidays(year)
    names = [n for joined in holidays.values() for n in joined.split(" / ")]
    assert len(names) == 8
    assert len(set(names)) == 8
    assert easter_sunday(year) - timedelta(days=2) not in holidays
