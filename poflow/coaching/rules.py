"""Pure rules of career coaching (LBC-1..3): report periods and years, targets and progress,
who may be told, which dates a coach may record. The states are in `states`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "Progress",
    "Target",
    "end_date_allowed",
    "grown",
    "may_inform_manager",
    "parse_yes_no",
    "progress",
    "report_period",
    "report_year",
    "target_for",
]


def report_period(
    year: int, *, service_start: date | None = None, first_report_year: int | None = None
) -> tuple[date, date]:
    """First and last day a yearly report covers: the calendar year, and for the first report
    also the months since the service started (seed 004: October 2019 - December 2020)."""
    start = date(year, 1, 1)
    if service_start and first_report_year == year and service_start < start:
        start = service_start
    return start, date(year, 12, 31)


def report_year(day: date) -> int:
    """The year a report run on `day` covers: the year of the day before, so the run of
    1 January publishes the final report of the year just ended (LBC-2)."""
    return (day - timedelta(days=1)).year


def grown(count: int, percent: int) -> int:
    """`count` raised by `percent` %, rounded up to a whole registration (50 +20 % = 60)."""
    return -(-count * (100 + percent) // 100)


@dataclass(frozen=True, slots=True)
class Target:
    """The registrations target of one year and where it comes from."""

    year: int
    value: int
    basis_year: int
    basis_count: int | None  # registrations in the basis calendar year, when known
    growth_percent: int
    fixed: bool  # set by hand in coaching.yaml rather than computed


def target_for(
    year: int,
    *,
    counts: dict[int, int],
    growth_percent: int,
    fixed: dict[int, int],
    first_report_year: int | None = None,
) -> Target | None:
    """The target of `year`: fixed in config, or last calendar year's count plus the growth.

    None when there is no full year of registrations to grow from.
    """
    basis = year - 1
    basis_count = counts.get(basis)
    if year in fixed:
        return Target(year, fixed[year], basis, basis_count, growth_percent, True)
    if first_report_year is not None and basis < first_report_year:
        return None
    if not basis_count:
        return None
    return Target(
        year, grown(basis_count, growth_percent), basis, basis_count, growth_percent, False
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """How far this year's registrations are towards the year's target, on a day."""

    target: Target
    count: int
    as_of: date
    expected_by_now: int  # the target spread evenly over the year, up to `as_of`

    @property
    def percent(self) -> int:
        """Registrations so far as a whole percentage of the target."""
        return round(100 * self.count / self.target.value)

    @property
    def on_track(self) -> bool:
        """At least as many registrations as an even spread of the target would give by now."""
        return self.count >= self.expected_by_now


def progress(target: Target, *, count: int, as_of: date) -> Progress:
    """Progress towards `target` with `count` registrations so far in its year, on `as_of`."""
    first, last = date(target.year, 1, 1), date(target.year, 12, 31)
    day = min(max(as_of, first), last)
    elapsed = (day - first).days + 1
    expected = round(target.value * elapsed / ((last - first).days + 1))
    return Progress(target, count, day, expected)


_YES = {"ja", "j", "yes", "y", "true", "1"}
_NO = {"nee", "n", "no", "false", "0", ""}


def parse_yes_no(value: str) -> bool:
    """ja / nee (empty is nee)."""
    word = value.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"{value!r} is not ja or nee")


def may_inform_manager(consent: bool, manager_id: str | None) -> bool:
    """The leidinggevende is told only with the employee's consent, and only if known (LBC-3)."""
    return bool(consent and manager_id)


def end_date_allowed(on: date, *, registered_on: date, today: date) -> bool:
    """A trajectory ends on or after its registration and not after today (LBC-2)."""
    return registered_on <= on <= today
