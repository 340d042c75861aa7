"""Pure rules of the introduction programme (INT-1..6): target groups, who may enrol, series
dates, the dates of reminders and talks, answers and attendance (the cohort rule: cohort.py).

No I/O: everything here works on plain values and a WorkCalendar, so it is tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from poflow.introduction.states import OPEN, ParticipationStatus
from poflow.kernel.calendar import WorkCalendar, add_months
from poflow.kernel.wording import date_nl

__all__ = [
    "EVALUATION",
    "START",
    "SeriesRule",
    "TargetGroup",
    "TargetRule",
    "certifies",
    "classify",
    "closing_refusal",
    "closing_status",
    "link_valid_days",
    "may_answer",
    "may_enrol",
    "may_record_attendance",
    "next_session",
    "open_session",
    "programme_end",
    "reminder_dates",
    "series_dates",
    "talk_dates",
    "variant_for",
]

_P = ParticipationStatus
START, EVALUATION = "start", "evaluatie"  # the two warm-welcome series; the others are modules


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


def may_enrol(
    person_id: str, roles: Iterable[str], *, manager_id: str, enrol_roles: Iterable[str]
) -> bool:
    """INT-1: the hire's own leidinggevende may enrol them, and whoever holds an enrol role."""
    return person_id == manager_id or bool(set(roles) & set(enrol_roles))


def variant_for(group: TargetGroup, requested: str | None, *, primary: str, secondary: str) -> str:
    """INT-6: the variant asked for, else the full one for the primary group, the light one
    for the secondary group."""
    return requested or (primary if group == TargetGroup.PRIMARY else secondary)


def programme_end(calendar: WorkCalendar, first_working_day: date, months: int) -> date:
    """INT-2: the last day of the programme: `months` calendar months on, on a working day."""
    return calendar.months_after(first_working_day, months)


def closing_refusal(day: date, end: date, still_open: Sequence[str]) -> str | None:
    """INT-2/INT-5: why the startontwikkelgesprek cannot close the programme on `day`, in Dutch,
    or None. It closes the programme "na 6 maanden" (from `end` on), after the three lines in
    order: nothing of them may still be open (`still_open`, the titles of open items)."""
    if day < end:
        return (
            "Het startontwikkelgesprek sluit het introductieprogramma af na zes maanden: "
            f"het kan vanaf {date_nl(end)} worden vastgelegd, niet op {date_nl(day)}."
        )
    if still_open:
        return (
            "Het startontwikkelgesprek sluit het introductieprogramma af als de andere "
            f"onderdelen klaar zijn. Nog open: {', '.join(still_open)}."
        )
    return None


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


def next_session(rule: SeriesRule, calendar: WorkCalendar, after: date) -> date:
    """INT-3: the first session of the series after `after` (where a spilled invitee goes)."""
    return series_dates(rule, calendar, after + timedelta(days=1), after + timedelta(days=400))[0]


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
    calendar: WorkCalendar,
    deadline: date,
    working_days_before: Iterable[int],
    *,
    from_day: date | None = None,
) -> list[date]:
    """The e-learning reminder days before a deadline (INT-4), latest reminder last; with
    `from_day` only those on or after it (a late enrolment skips reminders already past)."""
    days = {calendar.add_working_days(deadline, -n) for n in working_days_before}
    return sorted(d for d in days if from_day is None or d >= from_day)


def talk_dates(
    calendar: WorkCalendar, talk: date, *, invite_before: int, remind_before: int, today: date
) -> tuple[date, date]:
    """INT-5: when to invite to a talk on `talk` (working days before, never before today) and
    when to remind of it."""
    invite = calendar.add_working_days(talk, -invite_before)
    return max(invite, today), calendar.add_working_days(talk, -remind_before)


def link_valid_days(today: date, valid_until: date) -> int:
    """How many days a mailed link lives: until the end of `valid_until`, plus a week."""
    return max((valid_until - today).days, 0) + 8


def may_answer(day: date, session: date) -> bool:
    """INT-3: an invitation can be answered until the day of the session."""
    return day <= session


def may_record_attendance(day: date, session: date) -> bool:
    """INT-3: attendance is recorded from the day of the session on."""
    return day >= session


def certifies(series: str) -> bool:
    """INT-4: attending a classroom module gives a certificate; the start meeting and the
    evaluation do not."""
    return series not in (START, EVALUATION)


def closing_status(status: ParticipationStatus) -> ParticipationStatus | None:
    """INT-3: when a session closes, a place whose attendance was never recorded counts as
    missed (so the next session re-invites); other places stay as they are (None)."""
    return _P.MISSED if status in OPEN else None
