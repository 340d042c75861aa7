"""The states of a round and its candidates: allowed moves, who may apply when, and how an open
candidate leaves a closed round."""

from __future__ import annotations

import pytest

from poflow._exceptions import IllegalTransition, RecruitmentRefused
from poflow.recruitment.rules import Tier
from poflow.recruitment.states import (
    CANDIDATES,
    ROUNDS,
    CandidateState,
    RoundState,
    check_candidate_move,
    check_may_apply,
    check_round_move,
    leaving_state,
)


def test_rec_1_round_states_move_only_along_the_procedure() -> None:
    """A round cannot skip from internal publication to the terms talk, nor leave a final state."""
    check_round_move("WR-1", RoundState.INTERNAL, RoundState.EXTERNAL)
    with pytest.raises(IllegalTransition, match="from 'internal' to 'terms'"):
        check_round_move("WR-1", RoundState.INTERNAL, RoundState.TERMS)
    with pytest.raises(IllegalTransition, match="final state"):
        check_round_move("WR-1", RoundState.FILLED, RoundState.CANCELLED)
    with pytest.raises(IllegalTransition):
        check_candidate_move("K1", CandidateState.REJECTED, CandidateState.ROUND_ONE)


def test_rec_4_external_candidates_only_after_the_internal_window() -> None:
    """During internal publication only tiers 1-3 apply; tier 4 waits for external publication."""
    check_may_apply("WR-1", RoundState.INTERNAL, Tier.EIGEN_MEDEWERKER)
    check_may_apply("WR-1", RoundState.EXTERNAL, Tier.EXTERN)
    with pytest.raises(RecruitmentRefused, match="external"):
        check_may_apply("WR-1", RoundState.INTERNAL, Tier.EXTERN)
    with pytest.raises(RecruitmentRefused):
        check_may_apply("WR-1", RoundState.DRAFTING, Tier.BOVENFORMATIEF)


def test_rec_10_only_a_filled_or_cancelled_round_and_a_decided_candidate_are_final() -> None:
    """A round ends filled or cancelled; a candidate ends hired, rejected or withdrawn."""
    assert {s for s in RoundState if s.final} == {RoundState.FILLED, RoundState.CANCELLED}
    assert {s for s in CandidateState if s.final} == {
        CandidateState.HIRED,
        CandidateState.REJECTED,
        CandidateState.WITHDRAWN,
    }
    assert ROUNDS.allowed(RoundState.ADVICE) == {RoundState.FILLED}  # no way back after advice
    assert CandidateState.HIRED in CANDIDATES.allowed(CandidateState.OFFERED)


def test_rec_11_a_prospect_withdraws_and_any_other_open_candidate_is_rejected() -> None:
    """When a round closes without them, a koffiemoment prospect withdraws, others are rejected."""
    assert leaving_state(CandidateState.PROSPECT) is CandidateState.WITHDRAWN
    for state in (CandidateState.APPLIED, CandidateState.ROUND_TWO, CandidateState.OFFERED):
        assert leaving_state(state) is CandidateState.REJECTED
