"""Tests of the introduction programme's state tables: enrolments, sessions and places
(INT-3, INT-5)."""

from __future__ import annotations

import pytest

from poflow._exceptions import IllegalTransition
from poflow.introduction.states import (
    PARTICIPATION_STATES,
    ParticipationStatus,
)

P = ParticipationStatus


def test_int_3_participation_moves_only_along_allowed_transitions():
    """INT-3: attendance is final once recorded present; a spilled place cannot be accepted."""
    PARTICIPATION_STATES.check("x", P.INVITED, P.ACCEPTED)
    PARTICIPATION_STATES.check("x", P.MISSED, P.ATTENDED)
    with pytest.raises(IllegalTransition, match="from 'spilled' to 'accepted'"):
        PARTICIPATION_STATES.check("x", P.SPILLED, P.ACCEPTED)
    with pytest.raises(IllegalTransition, match="from 'attended' to 'missed'"):
        PARTICIPATION_STATES.check("x", P.ATTENDED, P.MISSED)
