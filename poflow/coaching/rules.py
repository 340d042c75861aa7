"""Pure rules of career coaching: trajectory and goal states, report periods, targets (LBC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from poflow._exceptions import IllegalTransition

__all__ = [
    "GOAL_LABELS",
    "STATE_LABELS",
    "GoalState",
    "Progress",
    "Target",
    "TrajectoryState",
    "check_goal_change",
    "check_state_change",
    "grown",
    "parse_goal",
    "parse_state",
    "parse_yes_no",
    "progress",
    "report_period",
    "target_for",
]


class TrajectoryState(StrEnum):
    """Where a coaching trajectory stands."""

    ACTIVE = "active"  # in traject
    COMPLETED = "completed"  # afgerond
    ENDED_EARLY = "ended_early"  # tussentijds gestopt (tijdelijk or for good), with a reason


class GoalState(StrEnum):
    """One of the (at most two) goals of a trajectory (LBC-2)."""

    OPEN = "open"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"


STATE_LABELS = {
    TrajectoryState.ACTIVE: "in traject",
    TrajectoryState.COMPLETED: "afgerond",
    TrajectoryState.ENDED_EARLY: "gestopt",
}
GOAL_LABELS = {
    GoalState.OPEN: "lopend",
    GoalState.ACHIEVED: "behaald",
    GoalState.NOT_ACHIEVED: "niet behaald",
}

_STATE_MOVES: dict[TrajectoryState, frozenset[TrajectoryState]] = {
    TrajectoryState.ACTIVE: frozenset({TrajectoryState.COMPLETED, TrajectoryState.ENDED_EARLY}),
    # Someone who stopped for a while may pick the trajectory up again (seed 004, 4.2).
    TrajectoryState.ENDED_EARLY: frozenset({TrajectoryState.ACTIVE}),
    TrajectoryState.COMPLETED: frozenset(),
}
_GOAL_MOVES: dict[GoalState | None, frozenset[GoalState]] = {
    None: frozenset({GoalState.OPEN, GoalState.ACHIEVED, GoalState.NOT_ACHIEVED}),
    GoalState.OPEN: frozenset({GoalState.ACHIEVED, GoalState.NOT_ACHIEVED}),
    # Not achieved at the end of a trajectory can still come true later (a job found after all).
    GoalState.NOT_ACHIEVED: frozenset({GoalState.ACHIEVED}),
    GoalState.ACHIEVED: frozenset(),
}


def check_state_change(what: str, current: TrajectoryState, target: TrajectoryState) -> None:
    """Raise IllegalTransition unless a trajectory may move from `current` to `target`."""
    allowed = _STATE_MOVES[current]
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final state)"
        raise IllegalTransition(
            f"Cannot move {what} from {current.value!r} to "
            f"{target.value!r}; allowed from {current.value!r}: {options}."
        )


def check_goal_change(
    what: str, number: int, current: GoalState | None, target: GoalState, *, goal1: GoalState | None
) -> None:
    """Raise IllegalTransition unless goal `number` may become `target` (goal 2 needs goal 1)."""
    if number not in (1, 2):
        raise IllegalTransition(
            f"Cannot set goal {number} of {what}: a trajectory has goal 1 and goal 2 only."
        )
    if number == 2 and goal1 is None:
        raise IllegalTransition(f"Cannot set goal 2 of {what}: goal 1 is not set yet.")
    if current == target:
        return
    allowed = _GOAL_MOVES[current]
    if target not in allowed:
        shown = current.value if current else "not set"
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final state)"
        raise IllegalTransition(
            f"Cannot move goal {number} of {what} from {shown!r} to "
            f"{target.value!r}; allowed: {options}."
        )


def report_period(
    year: int, *, service_start: date | None = None, first_report_year: int | None = None
) -> tuple[date, date]:
    """First and last day a yearly report covers: the calendar year, and for the first report
    also the months since the service started (seed 004: October 2019 - December 2020)."""
    start = date(year, 1, 1)
    if service_start and first_report_year == year and service_start < start:
        start = service_start
    return start, date(year, 12, 31)


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


_GOAL_WORDS = {
    "lopend": GoalState.OPEN,
    "open": GoalState.OPEN,
    "behaald": GoalState.ACHIEVED,
    "achieved": GoalState.ACHIEVED,
    "ja": GoalState.ACHIEVED,
    "niet behaald": GoalState.NOT_ACHIEVED,
    "niet_behaald": GoalState.NOT_ACHIEVED,
    "not_achieved": GoalState.NOT_ACHIEVED,
    "nee": GoalState.NOT_ACHIEVED,
}
_STATE_WORDS = {
    "in traject": TrajectoryState.ACTIVE,
    "in_traject": TrajectoryState.ACTIVE,
    "active": TrajectoryState.ACTIVE,
    "afgerond": TrajectoryState.COMPLETED,
    "completed": TrajectoryState.COMPLETED,
    "gestopt": TrajectoryState.ENDED_EARLY,
    "ended_early": TrajectoryState.ENDED_EARLY,
}
_YES = {"ja", "j", "yes", "y", "true", "1"}
_NO = {"nee", "n", "no", "false", "0", ""}


def parse_goal(value: str) -> GoalState | None:
    """'' -> no goal; lopend / behaald / niet behaald (or the English values) -> the state."""
    word = " ".join(value.strip().casefold().split())
    if not word:
        return None
    if word not in _GOAL_WORDS:
        raise ValueError(f"{value!r} is not a goal state (leeg, lopend, behaald, niet behaald)")
    return _GOAL_WORDS[word]


def parse_state(value: str) -> TrajectoryState:
    """in traject / afgerond / gestopt (or the English values) -> the trajectory state."""
    word = " ".join(value.strip().casefold().split())
    if word not in _STATE_WORDS:
        raise ValueError(f"{value!r} is not a trajectory state (in traject, afgerond, gestopt)")
    return _STATE_WORDS[word]


def parse_yes_no(value: str) -> bool:
    """ja / nee (empty is nee)."""
    word = value.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"{value!r} is not ja or nee")
