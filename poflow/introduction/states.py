"""The states of the introduction programme, each with its StateTable of allowed moves: a hire's
enrolment (INT-1, INT-5), a group session and one person's place in a session (INT-3).

Every move of these states goes through its table (`ENROLMENT_STATES.check(...)` and so on), so
the allowed moves are written down once.
"""

from __future__ import annotations

from enum import StrEnum

from poflow.kernel.states import StateTable

__all__ = [
    "ENROLMENT_STATES",
    "HOLDS_A_SEAT",
    "NOT_THERE",
    "ON_ATTENDANCE_LIST",
    "OPEN",
    "PARTICIPATION_STATES",
    "SESSION_STATES",
    "EnrolmentState",
    "ParticipationStatus",
    "SessionState",
]


class EnrolmentState(StrEnum):
    """Where one hire's programme stands."""

    ACTIVE = "active"
    COMPLETED = "completed"  # closed by the startontwikkelgesprek (INT-5)
    CANCELLED = "cancelled"


class SessionState(StrEnum):
    """A group session: planned, then closed once its attendance is final."""

    PLANNED = "planned"
    CLOSED = "closed"


class ParticipationStatus(StrEnum):
    """Where one person stands for one group session."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ATTENDED = "attended"
    MISSED = "missed"
    SPILLED = "spilled"  # the session was full: invited to the next one instead
    CANCELLED = "cancelled"  # the hire was cancelled or is no longer eligible


_E = EnrolmentState
ENROLMENT_STATES = StateTable(
    EnrolmentState,
    {
        # The closing talk completes an enrolment (INT-5). No code cancels one today: the state
        # is part of the stored vocabulary, and cancelling can only start from an active one.
        _E.ACTIVE: {_E.COMPLETED, _E.CANCELLED},
        _E.COMPLETED: set(),
        _E.CANCELLED: set(),
    },
)

SESSION_STATES = StateTable(
    SessionState,
    {
        SessionState.PLANNED: {SessionState.CLOSED},  # closed once its attendance is final
        SessionState.CLOSED: set(),
    },
)

_P = ParticipationStatus
# A place is created invited, or spilled when the session was full.
PARTICIPATION_STATES = StateTable(
    ParticipationStatus,
    {
        _P.INVITED: {_P.ACCEPTED, _P.DECLINED, _P.ATTENDED, _P.MISSED, _P.CANCELLED},
        _P.ACCEPTED: {_P.DECLINED, _P.ATTENDED, _P.MISSED, _P.CANCELLED},
        _P.DECLINED: {_P.ACCEPTED, _P.ATTENDED, _P.MISSED, _P.CANCELLED},
        _P.MISSED: {_P.ATTENDED},  # a correction of the attendance list
        _P.ATTENDED: set(),  # final: it may have given a certificate
        _P.SPILLED: set(),
        _P.CANCELLED: set(),
    },
)

OPEN = frozenset({_P.INVITED, _P.ACCEPTED})  # invited, attendance not recorded yet
NOT_THERE = frozenset({_P.DECLINED, _P.MISSED, _P.SPILLED})  # will not be, or was not, there
HOLDS_A_SEAT = OPEN | {_P.ATTENDED}  # counts against the session's capacity
ON_ATTENDANCE_LIST = OPEN | {_P.DECLINED}  # P&O is asked whether they came
