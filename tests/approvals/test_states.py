"""How a four-eyes request's outcome moves (REC-9): from pending to approved or rejected, once."""

from __future__ import annotations

import pytest

from poflow._exceptions import IllegalTransition
from poflow.approvals.states import OUTCOMES
from poflow.kernel.foureyes import Outcome


def test_rec_9_a_decided_request_never_changes_its_outcome() -> None:
    """Pending becomes approved or rejected; a decided outcome is final, no override."""
    OUTCOMES.check("approval offer OFFER-1", Outcome.PENDING, Outcome.APPROVED)
    OUTCOMES.check("approval offer OFFER-1", Outcome.PENDING, Outcome.REJECTED)
    for final in (Outcome.APPROVED, Outcome.REJECTED):
        assert OUTCOMES.is_final(final)
        with pytest.raises(IllegalTransition, match="final state"):
            OUTCOMES.check("approval offer OFFER-1", final, Outcome.APPROVED)
