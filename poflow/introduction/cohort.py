"""The cohort rule of a group session (INT-3, INT-4), pure: who is seated, re-invited or spills.

A series' candidates come with their history in the series; the rule seats make-ups first, then
the earliest starters, up to the seats left, and spills the rest to the next session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from poflow.introduction.states import HOLDS_A_SEAT, NOT_THERE, OPEN, ParticipationStatus

__all__ = [
    "Candidate",
    "CohortChoice",
    "CohortKind",
    "Participation",
    "Place",
    "PlaceReason",
    "eligible",
    "free_seats",
    "places",
    "select_cohort",
]

_P = ParticipationStatus


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


class PlaceReason(StrEnum):
    """Why a hire has a place in a session (stored with the place)."""

    NEW = "new"  # first time in this series
    MAKEUP = "makeup"  # missed or declined an earlier session of the series
    WAITLIST = "waitlist"  # the earlier session was full
    SPILL = "spill"  # this session is full: told the next date


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


def eligible(
    kind: CohortKind, c: Candidate, session: date, *, max_attempts: int
) -> PlaceReason | None:
    """Why `c` belongs in the cohort of the session on `session`: new, makeup or None."""
    if any(p.session_date == session for p in c.history):
        return None
    if _needs_makeup(c.history, session, max_attempts):
        return PlaceReason.MAKEUP
    if c.first_working_day > session or session > c.programme_end:
        return None
    if kind == CohortKind.STARTED:
        return PlaceReason.NEW if not c.history else None
    if kind == CohortKind.IN_PERIOD:
        return PlaceReason.NEW
    if c.history:
        return None
    if c.first_in_order or (
        c.previous_item_planned is not None and c.previous_item_planned < session
    ):
        return PlaceReason.NEW
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
            chosen.append((0 if why == PlaceReason.MAKEUP else 1, c.first_working_day, c.hire_id))
    chosen.sort()
    seats = max(seats_left, 0)
    invite = tuple(h for _, _, h in chosen[:seats])
    reinvite = tuple(h for prio, _, h in chosen[:seats] if prio == 0)
    return CohortChoice(
        invite=invite, reinvite=reinvite, spill=tuple(h for _, _, h in chosen[seats:])
    )


@dataclass(frozen=True, slots=True)
class Place:
    """One place a planning pass gives: whose, and why."""

    hire_id: str
    reason: PlaceReason

    @property
    def spilled(self) -> bool:
        """Whether the session was full for this hire."""
        return self.reason == PlaceReason.SPILL


def places(choice: CohortChoice, candidates: Iterable[Candidate]) -> tuple[Place, ...]:
    """INT-3: the places of a chosen cohort, seats first: a re-invitation after a full session
    is "waitlist", after a miss or decline "makeup", a first invitation "new"; then the spill."""
    waited = {c.hire_id for c in candidates if c.history and c.history[-1].status == _P.SPILLED}

    def reason(hire_id: str) -> PlaceReason:
        if hire_id not in choice.reinvite:
            return PlaceReason.NEW
        return PlaceReason.WAITLIST if hire_id in waited else PlaceReason.MAKEUP

    seated = tuple(Place(hire_id, reason(hire_id)) for hire_id in choice.invite)
    return (*seated, *(Place(hire_id, PlaceReason.SPILL) for hire_id in choice.spill))


def free_seats(capacity: int, statuses: Iterable[ParticipationStatus]) -> int:
    """INT-3: the free seats of a session; open and attended places hold one."""
    return capacity - sum(st in HOLDS_A_SEAT for st in statuses)
