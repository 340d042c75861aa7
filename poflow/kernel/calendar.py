"""Working days of a Dutch municipality: the CAO Gemeenten holidays plus local closing days,
and local wall-clock times in Europe/Amsterdam.

Pure code, no I/O (`today` reads the clock). All dates are local dates in Europe/Amsterdam.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "TIMEZONE",
    "TZ",
    "WorkCalendar",
    "add_months",
    "cao_holidays",
    "easter_sunday",
    "local_datetime",
    "today",
]

TIMEZONE = "Europe/Amsterdam"
TZ = ZoneInfo(TIMEZONE)


def today() -> date:
    """Today's date in Europe/Amsterdam."""
    return datetime.now(TZ).date()


def local_datetime(day: date, at: time) -> datetime:
    """`day` at wall-clock time `at` in Europe/Amsterdam, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=TZ)


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of `year` (Gregorian, anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=512)
def cao_holidays(year: int) -> dict[date, str]:
    """Return the eight CAO Gemeenten holidays (art. 6.6) of `year`, mapped to their Dutch names.

    When two fall on one date the name holds both ("Bevrijdingsdag / Hemelvaartsdag").

    Goede Vrijdag is not among them, and Bevrijdingsdag (5 May) is a holiday every year.
    Koningsdag moves to 26 April when 27 April is a Sunday.
    """
    easter = easter_sunday(year)
    kingsday = date(year, 4, 27)
    if kingsday.weekday() == 6:
        kingsday = date(year, 4, 26)
    days = [
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (easter + timedelta(days=1), "Tweede paasdag"),
        (kingsday, "Koningsdag"),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter + timedelta(days=39), "Hemelvaartsdag"),
        (easter + timedelta(days=50), "Tweede pinksterdag"),
        (date(year, 12, 25), "Eerste kerstdag"),
        (date(year, 12, 26), "Tweede kerstdag"),
    ]
    holidays: dict[date, str] = {}
    for day, name in days:  # two can coincide (Hemelvaart on 5 May in 2005 and 2016)
        holidays[day] = f"{holidays[day]} / {name}" if day in holidays else name
    return holidays


def add_months(day: date, months: int) -> date:
    """Return the same day `months` calendar months later, clipped to the month's last day."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


class WorkCalendar:
    """Working days: Monday to Friday, minus CAO holidays and the municipality's closing days."""

    def __init__(self, closing_days: Iterable[date] = ()) -> None:
        self._closing_days = frozenset(closing_days)

    @property
    def closing_days(self) -> frozenset[date]:
        """The municipality's own closing days (e.g. between Christmas and New Year)."""
        return self._closing_days

    def holiday_name(self, day: date) -> str | None:
        """Return why `day` is not worked (holiday or closing day), or None for other days."""
        name = cao_holidays(day.year).get(day)
        if name is None and day in self._closing_days:
            return "Sluitingsdag"
        return name

    def is_working_day(self, day: date) -> bool:
        """True when `day` is a weekday that is neither a CAO holiday nor a closing day."""
        return day.weekday() < 5 and self.holiday_name(day) is None

    def next_working_day(self, day: date) -> date:
        """Return `day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """Return `day` itself when it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def first_working_day(self, start_date: date) -> date:
        """The first working day of someone whose contract starts on `start_date`."""
        return self.next_working_day(start_date)

    def add_working_days(self, day: date, count: int) -> date:
        """Move `count` working days from `day` (negative moves back); 0 rolls to a working day.

        Counting starts from `day` whether or not it is a working day itself: 1 working day after
        a Friday is the next Monday (when that is worked), 2 working days before a Monday is the
        Thursday before.
        """
        if count == 0:
            return self.next_working_day(day)
        step = timedelta(days=1 if count > 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def months_after(self, first_working_day: date, months: int) -> date:
        """The working day `months` calendar months after the first working day (rolled forward)."""
        return self.next_working_day(add_months(first_working_day, months))

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days d with start < d <= end (negative when end is before start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count
