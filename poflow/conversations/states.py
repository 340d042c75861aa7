"""The states of the conversation cycle, each with its table of allowed moves: whether a cycle
still runs, and where a legal-status decision stands while it waits for its appraisal (GES-5)."""

from __future__ import annotations

from enum import StrEnum

from poflow._exceptions import AppraisalRequired
from poflow.kernel.states import StateTable

__all__ = [
    "CYCLE_STATES",
    "LEGAL_STATES",
    "CycleState",
    "LegalState",
    "check_legal_decision",
]


class CycleState(StrEnum):
    """Whether the cycle still runs."""

    ACTIVE = "actief"
    STOPPED = "gestopt"


# A cycle starts active; stopping it is final (nothing in poflow stops one yet).
CYCLE_STATES = StateTable(
    CycleState,
    {
        CycleState.ACTIVE: {CycleState.STOPPED},
        CycleState.STOPPED: set(),
    },
)


class LegalState(StrEnum):
    """Where a legal-status decision stands."""

    AWAITING_APPRAISAL = "wacht"  # the extra appraisal is planned, not recorded yet
    READY = "gereed"  # the appraisal is recorded: the decision may be taken
    DECIDED = "besloten"
    CANCELLED = "ingetrokken"


LEGAL_STATES = StateTable(
    LegalState,
    {
        LegalState.AWAITING_APPRAISAL: {LegalState.READY, LegalState.CANCELLED},
        LegalState.READY: {LegalState.DECIDED, LegalState.CANCELLED},
        LegalState.DECIDED: set(),
        LegalState.CANCELLED: set(),
    },
)


def check_legal_decision(what: str, current: LegalState, target: LegalState) -> None:
    """Raise unless LEGAL_STATES allows the move; deciding before the appraisal is refused by
    name, AppraisalRequired (GES-5), any other illegal move is IllegalTransition."""
    if current is LegalState.AWAITING_APPRAISAL and target is LegalState.DECIDED:
        raise AppraisalRequired(
            f"Cannot record {what}: its extra appraisal is not recorded yet; a decision with "
            "legal-status consequences requires an appraisal (GES-5)."
        )
    LEGAL_STATES.check(what, current, target)
