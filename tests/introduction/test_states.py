"""Tests of the introduction programme's state tables: enrolments, sessions and places
(INT-3, INT-5)."""

from __future__ import annotations

import pytest

from poflow._exceptions import IllegalTransition
from poflow.introduction.states import (
    ENROLMENT_STATES,
    PARTICIPATION_STATES,
    SESSION_STATES,
    EnrolmentState,
    ParticipationStatus,
    SessionState,
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


def test_int_5_an_enrolment_is_completed_once_and_then_final():
    """INT-5: the closing talk completes an active enrolment; a completed one moves no more."""
    ENROLMENT_STATES.check("x", EnrolmentState.ACTIVE, EnrolmentState.COMPLETED)
    assert ENROLMENT_STATES.is_final(EnrolmentState.COMPLETED)
    with pytest.raises(IllegalTransition, match="from 'completed' to 'active'"):
        ENROLMENT_STATES.check("x", EnrolmentState.COMPLETED, EnrolmentState.ACTIVE)


def test_int_3_a_closed_session_stays_closed():
    """INT-3: a planned session closes once its attendance is final, and never reopens."""
    SESSION_STATES.check("x", SessionState.PLANNED, SessionState.CLOSED)
    with pytest.raises(IllegalTransition, match="from 'closed' to 'planned'"):
        SESSION_STATES.check("x", SessionState.CLOSED, SessionState.PLANNED)
