"""The states of a coaching registration (LBC-2): the trajectory and its (at most two) goals,
each with a `StateTable` of allowed moves, their Dutch labels and the words a coach types."""

from __future__ import annotations

from enum import StrEnum

from poflow._exceptions import IllegalTransition
from poflow.kernel.states import StateTable

__all__ = [
    "GOALS",
    "GOAL_LABELS",
    "GOAL_STATES",
    "STATE_LABELS",
    "TRAJECTORY_STATES",
    "GoalState",
    "TrajectoryState",
    "check_goal_change",
    "parse_goal",
    "parse_state",
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


TRAJECTORY_STATES = StateTable(
    TrajectoryState,
    {
        TrajectoryState.ACTIVE: {TrajectoryState.COMPLETED, TrajectoryState.ENDED_EARLY},
        # Someone who stopped for a while may pick the trajectory up again (seed 004, 4.2).
        TrajectoryState.ENDED_EARLY: {TrajectoryState.ACTIVE},
        TrajectoryState.COMPLETED: set(),
    },
)
# A goal not set yet may be set in any state; once set it moves only as this table allows.
GOAL_STATES = StateTable(
    GoalState,
    {
        GoalState.OPEN: {GoalState.ACHIEVED, GoalState.NOT_ACHIEVED},
        # Not achieved at the end of a trajectory can still come true later (a job found after all).
        GoalState.NOT_ACHIEVED: {GoalState.ACHIEVED},
        GoalState.ACHIEVED: set(),
    },
)
GOALS = (1, 2)  # a trajectory has goal 1 and goal 2

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


def check_goal_change(
    what: str, number: int, current: GoalState | None, target: GoalState, *, goal1: GoalState | None
) -> None:
    """Raise IllegalTransition unless goal `number` may become `target` (goal 2 needs goal 1)."""
    if number not in GOALS:
        raise IllegalTransition(
            f"Cannot set goal {number} of {what}: a trajectory has goal 1 and goal 2 only."
        )
    if number == 2 and goal1 is None:
        raise IllegalTransition(f"Cannot set goal 2 of {what}: goal 1 is not set yet.")
    if current is None or current == target:
        return
    GOAL_STATES.check(f"goal {number} of {what}", current, target)


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


def _words(value: str) -> str:
    return " ".join(value.strip().casefold().split())


def parse_goal(value: str) -> GoalState | None:
    """'' -> no goal; lopend / behaald / niet behaald (or the English values) -> the state."""
    word = _words(value)
    if not word:
        return None
    if word not in _GOAL_WORDS:
        raise ValueError(f"{value!r} is not a goal state (leeg, lopend, behaald, niet behaald)")
    return _GOAL_WORDS[word]


def parse_state(value: str) -> TrajectoryState:
    """in traject / afgerond / gestopt (or the English values) -> the trajectory state."""
    word = _words(value)
    if word not in _STATE_WORDS:
        raise ValueError(f"{value!r} is not a trajectory state (in traject, afgerond, gestopt)")
    return _STATE_WORDS[word]
