"""Pure rules of the introduction programme (INT-1..6): target groups, series dates, cohorts.

No I/O: everything here works on plain values and a WorkCalendar, so it is tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from poflow._exceptions import IllegalTransition
from poflow.kernel.calendar import WorkCalendar, add_months

__all__ = [
    "Candidate",
    "CohortKind",
    "Participation",
    "ParticipationStatus",
    "SeriesRule",
    "TargetGroup",
    "TargetRule",
    "check_participation",
    "classify",
    "open_session",
    "programme_end",
    "reminder_dates",
    "select_cohort",
    "series_dates",
]


class TargetGroup(StrEnum):
    """INT-1: who takes part, and how."""

    PRIMARY = "primair"  # mandatory, full programme
    SECONDARY = "secundair"  # optional light variant, only when P&O or the leidinggevende enrols
    EXCLUDED = "uitgesloten"  # college B&W and gemeenteraad: never invited


@dataclass(frozen=True, slots=True)
class TargetRule:
    """One line of the target-group table: a contract type, optional month bounds, a group."""

    contract_type: str
    group: TargetGroup
    longer_than_months: int | None = None  # contract must be strictly longer than this
    at_most_months: int | None = None  # contract must be this long or shorter

    def matches(self, contract_type: str, months: int | None) -> bool:
        """True when a contract of this type and length falls under this line."""
        if contract_type != self.contract_type:
            return False
        if self.longer_than_months is not None and (
            months is None or months <= self.longer_than_months
        ):
            return False
        return not (
            self.at_most_months is not None and (months is None or months > self.at_most_months)
        )


def classify(
    contract_type: str, months: int | None, rules: Sequence[TargetRule], default: TargetGroup
) -> TargetGroup:
    """INT-1: the group of a contract; the first matching line wins, else `default`."""
    for rule in rules:
        if rule.matches(contract_type, months):
            return rule.group
    return default


def programme_end(calendar: WorkCalendar, first_working_day: date, months: int) -> date:
    """INT-2: the last day of the programme: `months` calendar months on, on a working day."""
    return calendar.months_after(first_working_day, months)


@dataclass(frozen=True, slots=True)
class SeriesRule:
    """A session series: an anchor date and an interval of weeks or of months (INT-3)."""

    anchor: date
    every_weeks: int | None = None
    every_months: int | None = None

    def nominal(self, index: int) -> date:
        """The index-th date of the series before rolling to a working day."""
        if self.every_weeks:
            return self.anchor + timedelta(weeks=self.every_weeks * index)
        return add_months(self.anchor, (self.every_months or 1) * index)


def series_dates(rule: SeriesRule, calendar: WorkCalendar, first: date, last: date) -> list[date]:
    """Session dates of the series between `first` and `last`, each rolled to a working day."""
    out: list[date] = []
    index = 0
    while True:
        day = calendar.next_working_day(rule.nominal(index))
        if day > last:
            return out
        if day >= first:
            out.append(day)
        index += 1


def open_session(
    rule: SeriesRule, calendar: WorkCalendar, day: date, invite_working_days_before: int
) -> tuple[date, date | None] | None:
    """The session whose invitation window holds `day`, with the session before it.

    The window opens `invite_working_days_before` working days before the session and closes
    the day before it. Returns (session date, previous session date or None), or None on a
    day that is not a session-planning day.
    """
    if not calendar.is_working_day(day):
        return None
    horizon = calendar.add_working_days(day, invite_working_days_before + 1) + timedelta(days=7)
    dates = series_dates(rule, calendar, rule.anchor, horizon)
    for i, session in enumerate(dates):
        opens = calendar.add_working_days(session, -invite_working_days_before)
        if opens <= day < session:
            return session, dates[i - 1] if i > 0 else None
    return None


def reminder_dates(
    calendar: WorkCalendar, deadline: date, working_days_before: Iterable[int]
) -> list[date]:
    """The e-learning reminder days before a deadline (INT-4), latest reminder last."""
    return sorted({calendar.add_working_days(deadline, -n) for n in working_days_before})


class ParticipationStatus(StrEnum):
    """Where one person stands for one group session."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ATTENDED = "attended"
    MISSED = "missed"
    SPILLED = "spilled"  # the session was full: invited to the next one instead
    CANCELLED = "cancelled"  # the hire was cancelled or is no longer eligible


_P = ParticipationStatus
_TRANSITIONS: dict[ParticipationStatus, frozenset[ParticipationStatus]] = {
    _P.INVITED: frozenset({_P.ACCEPTED, _P.DECLINED, _P.ATTENDED, _P.MISSED, _P.CANCELLED}),
    _P.ACCEPTED: frozenset({_P.DECLINED, _P.ATTENDED, _P.MISSED, _P.CANCELLED}),
    _P.DECLINED: frozenset({_P.ACCEPTED, _P.ATTENDED, _P.MISSED, _P.CANCELLED}),
    _P.MISSED: frozenset({_P.ATTENDED}),  # a correction of the attendance list
    _P.ATTENDED: frozenset(),  # final: it may have given a certificate
    _P.SPILLED: frozenset(),
    _P.CANCELLED: frozenset(),
}
NOT_THERE = frozenset({_P.DECLINED, _P.MISSED, _P.SPILLED})
OPEN = frozenset({_P.INVITED, _P.ACCEPTED})


def check_participation(
    what: str, current: ParticipationStatus, target: ParticipationStatus
) -> None:
    """Raise IllegalTransition unless a participation may move from `current` to `target`."""
    if target not in _TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in _TRANSITIONS[current])) or "none"
        raise IllegalTransition(
            f"Cannot move {what} from {current.value!r} to {target.value!r}; allowed: {allowed}."
        )


class CohortKind(StrEnum):
    """Which cohort rule a series uses (INT-3, INT-4)."""

    STARTED = "started"  # start meeting: who started since the previous one
    IN_PERIOD = "in_period"  # evaluation: who is within the programme period
    IN_ORDER = "in_order"  # classroom module: next in the programme's order


@dataclass(frozen=True, slots=True)
class Participation:
    """One earlier participation in this series: its session date and status."""

    session_date: date
    status: ParticipationStatus


@dataclass(frozen=True, slots=True)
class Candidate:
    """An enrolled hire as the cohort rule sees it (ids and dates only)."""

    hire_id: str
    first_working_day: date
    programme_end: date
    history: tuple[Participation, ...] = ()  # this series, oldest first
    previous_item_planned: date | None = None  # IN_ORDER: session date of the item before
    first_in_order: bool = False  # IN_ORDER: no item before this one in the variant


@dataclass(frozen=True, slots=True)
class CohortChoice:
    """Who gets a seat, who is re-invited (a subset of invite) and who spills to the next."""

    invite: tuple[str, ...]
    reinvite: tuple[str, ...]
    spill: tuple[str, ...]


def _needs_makeup(history: tuple[Participation, ...], session: date, max_attempts: int) -> bool:
    earlier = [p for p in history if p.session_date < session]
    if not earlier or any(p.status == _P.ATTENDED for p in earlier):
        return False
    last = earlier[-1]
    missed = last.status in NOT_THERE or last.status in OPEN  # unrecorded counts as missed
    tries = sum(1 for p in earlier if p.status != _P.SPILLED)
    return missed and (last.status == _P.SPILLED or tries < max_attempts)


def eligible(kind: CohortKind, c: Candidate, session: date, *, max_attempts: int) -> str | None:
    """Why `c` belongs in the cohort of the session on `session`: "new", "makeup" or None."""
    if any(p.session_date == session for p in c.history):
        return None
    if _needs_makeup(c.history, session, max_attempts):
        return "makeup"
    if c.first_working_day > session or session > c.programme_end:
        return None
    if kind == CohortKind.STARTED:
        return "new" if not c.history else None
    if kind == CohortKind.IN_PERIOD:
        return "new"
    if c.history:
        return None
    if c.first_in_order or (
        c.previous_item_planned is not None and c.previous_item_planned < session
    ):
        return "new"
    return None


def select_cohort(
    kind: CohortKind,
    session: date,
    candidates: Iterable[Candidate],
    *,
    seats_left: int,
    max_attempts: int,
) -> CohortChoice:
    """INT-3: the cohort of one session; make-ups and earliest starters first, the rest spill."""
    chosen: list[tuple[int, date, str]] = []
    for c in candidates:
        why = eligible(kind, c, session, max_attempts=max_attempts)
        if why is not None:
            chosen.append((0 if why == "makeup" else 1, c.first_working_day, c.hire_id))
    chosen.sort()
    seats = max(seats_left, 0)
    invite = tuple(h for _, _, h in chosen[:seats])
    reinvite = tuple(h for prio, _, h in chosen[:seats] if prio == 0)
    return CohortChoice(
        invite=invite, reinvite=reinvite, spill=tuple(h for _, _, h in chosen[seats:])
    )
