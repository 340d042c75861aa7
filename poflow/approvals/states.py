"""How a four-eyes request's outcome moves (REC-9): pending, then approved or rejected, once."""

from __future__ import annotations

from poflow.kernel.foureyes import Outcome
from poflow.kernel.states import StateTable

__all__ = ["OUTCOMES"]

OUTCOMES = StateTable(
    Outcome,
    {
        Outcome.PENDING: {Outcome.APPROVED, Outcome.REJECTED},
        Outcome.APPROVED: set(),
        Outcome.REJECTED: set(),
    },
)
