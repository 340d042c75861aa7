"""The states of the conversation cycle and their tables: the cycle (GES-1) and the legal-status
decision waiting for its appraisal (GES-5)."""

from __future__ import annotations

import pytest

from poflow._exceptions import AppraisalRequired, IllegalTransition
from poflow.conversations.states import (
    CYCLE_STATES,
    LEGAL_STATES,
    CycleState,
    LegalState,
    check_legal_decision,
)


# -- GES-5 --------------------------------------------------------------------------------------
def test_ges_5_decision_before_its_appraisal_is_refused_by_name() -> None:
    """Deciding while the extra appraisal is not recorded raises AppraisalRequired."""
    with pytest.raises(AppraisalRequired, match="requires an appraisal"):
        check_legal_decision("decision 1", LegalState.AWAITING_APPRAISAL, LegalState.DECIDED)
    check_legal_decision("decision 1", LegalState.READY, LegalState.DECIDED)


def test_ges_5_a_decided_decision_cannot_be_decided_again() -> None:
    """A final decision is final: deciding twice is an illegal transition."""
    with pytest.raises(IllegalTransition, match="from 'besloten'"):
        check_legal_decision("decision 1", LegalState.DECIDED, LegalState.DECIDED)


def test_ges_5_a_recorded_appraisal_makes_the_decision_ready_and_nothing_skips_it() -> None:
    """The table lets a waiting decision become ready (its appraisal is in) or be withdrawn;
    only a ready one may be decided, and a withdrawn one is final."""
    assert LEGAL_STATES.allowed(LegalState.AWAITING_APPRAISAL) == {
        LegalState.READY,
        LegalState.CANCELLED,
    }
    assert LEGAL_STATES.is_final(LegalState.CANCELLED)
    with pytest.raises(IllegalTransition, match="from 'ingetrokken'"):
        check_legal_decision("decision 1", LegalState.CANCELLED, LegalState.READY)


def test_ges_1_a_running_cycle_may_stop_and_a_stopped_one_stays_stopped() -> None:
    """A cycle starts active; stopping it is the only move and it is final."""
    CYCLE_STATES.check("cycle 1", CycleState.ACTIVE, CycleState.STOPPED)
    with pytest.raises(IllegalTransition, match="from 'gestopt'"):
        CYCLE_STATES.check("cycle 1", CycleState.STOPPED, CycleState.ACTIVE)
