"""The states of a coaching registration (LBC-2): trajectory and goals move only as their
StateTables allow."""

from __future__ import annotations

import pytest

from poflow._exceptions import IllegalTransition
from poflow.coaching.states import (
    TRAJECTORY_STATES,
    GoalState,
    TrajectoryState,
    check_goal_change,
)


def test_lbc_2_trajectory_and_goal_states_move_only_as_allowed() -> None:
    """Completed is final; stopped can resume; goal 2 needs goal 1; achieved is final."""
    TRAJECTORY_STATES.check("r", TrajectoryState.ENDED_EARLY, TrajectoryState.ACTIVE)
    with pytest.raises(IllegalTransition, match="from 'completed' to 'active'"):
        TRAJECTORY_STATES.check("r", TrajectoryState.COMPLETED, TrajectoryState.ACTIVE)
    with pytest.raises(IllegalTransition, match="goal 1 is not set"):
        check_goal_change("r", 2, None, GoalState.OPEN, goal1=None)
    with pytest.raises(IllegalTransition, match="goal 1 and goal 2 only"):
        check_goal_change("r", 3, None, GoalState.OPEN, goal1=GoalState.OPEN)
    with pytest.raises(IllegalTransition, match="from 'achieved' to 'open'"):
        check_goal_change("r", 1, GoalState.ACHIEVED, GoalState.OPEN, goal1=GoalState.ACHIEVED)
