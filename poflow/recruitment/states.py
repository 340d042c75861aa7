"""The states of a recruitment round and of its candidates, each with its table of allowed moves.

Every move of a round or a candidate is checked against `ROUNDS` or `CANDIDATES`; the rules
that depend on a state alone (who may apply while the round is in it, which stage an interview
round is, how an open candidate leaves a closed round) are here too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from poflow._exceptions import RecruitmentRefused
from poflow.kernel.states import StateTable

__all__ = [
    "CANDIDATES",
    "INTERVIEW_STAGES",
    "ROUNDS",
    "SELECTIONS",
    "CandidateState",
    "RoundState",
    "SelectionState",
    "check_candidate_move",
    "check_may_apply",
    "check_round_move",
    "leaving_state",
]


class RoundState(StrEnum):
    """Where a recruitment round stands; `ROUNDS` holds the allowed moves."""

    FORMATION_REVIEW = "formation"  # REC-2: waits for gemeentesecretaris and OR
    DRAFTING = "drafting"  # REC-3: P&O drafts the vacancy text
    TEXT_REVIEW = "text_review"  # REC-3: P&O and MT-lid confirm the text
    INTERNAL = "internal"  # REC-4: published internally only
    EXTERNAL = "external"  # REC-4: published externally too
    ROUND_ONE = "round_one"  # REC-5, REC-6
    ROUND_TWO = "round_two"  # REC-7
    DECISION = "decision"  # REC-8: P&O, MT-lid and colleague decide on the offer
    TERMS = "terms"  # REC-9: four-eyes terms-of-employment talk
    ADVICE = "advice"  # REC-10: aanstellingsadvies sent to the college B&W
    FILLED = "filled"  # REC-10: the hire exists, onboarding runs
    CANCELLED = "cancelled"  # REC-2 rejection, or withdrawn by P&O

    @property
    def final(self) -> bool:
        """True when nothing more happens in the round (filled or cancelled)."""
        return ROUNDS.is_final(self)


_C = RoundState.CANCELLED
ROUNDS = StateTable(
    RoundState,
    {
        RoundState.FORMATION_REVIEW: {RoundState.DRAFTING, _C},
        RoundState.DRAFTING: {RoundState.TEXT_REVIEW, _C},
        RoundState.TEXT_REVIEW: {RoundState.DRAFTING, RoundState.INTERNAL, _C},
        RoundState.INTERNAL: {RoundState.EXTERNAL, RoundState.ROUND_ONE, _C},
        RoundState.EXTERNAL: {RoundState.ROUND_ONE, _C},
        RoundState.ROUND_ONE: {RoundState.ROUND_TWO, _C},
        RoundState.ROUND_TWO: {RoundState.DECISION, _C},
        RoundState.DECISION: {RoundState.ROUND_TWO, RoundState.TERMS, _C},
        RoundState.TERMS: {RoundState.ROUND_TWO, RoundState.ADVICE, _C},
        RoundState.ADVICE: {RoundState.FILLED},
        RoundState.FILLED: set(),
        RoundState.CANCELLED: set(),
    },
)


class CandidateState(StrEnum):
    """Where one candidate stands in the round; `CANDIDATES` holds the allowed moves."""

    PROSPECT = "prospect"  # REC-13: koffiemoment, has not applied yet
    APPLIED = "applied"
    ROUND_ONE = "round_one"
    ROUND_TWO = "round_two"
    OFFERED = "offered"  # REC-8 agreed; the terms talk follows
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def final(self) -> bool:
        """True for hired, rejected and withdrawn."""
        return CANDIDATES.is_final(self)


_R, _W = CandidateState.REJECTED, CandidateState.WITHDRAWN
CANDIDATES = StateTable(
    CandidateState,
    {
        CandidateState.PROSPECT: {CandidateState.APPLIED, _W},
        CandidateState.APPLIED: {CandidateState.ROUND_ONE, _R, _W},
        CandidateState.ROUND_ONE: {CandidateState.ROUND_TWO, _R, _W},
        CandidateState.ROUND_TWO: {CandidateState.OFFERED, _R, _W},
        CandidateState.OFFERED: {CandidateState.HIRED, _R, _W},
        CandidateState.HIRED: set(),
        CandidateState.REJECTED: set(),
        CandidateState.WITHDRAWN: set(),
    },
)


class SelectionState(StrEnum):
    """Where the MT-lid's selection for an interview round stands (REC-5): P&O confirms it."""

    PROPOSED = "proposed"  # the MT-lid selected; the named P&O adviser is asked to confirm
    CONFIRMED = "confirmed"  # P&O confirmed: the selection took effect
    REFUSED = "refused"  # P&O refused with a reason: nothing moved, the MT-lid selects again
    WITHDRAWN = "withdrawn"  # the MT-lid selected again before P&O answered


SELECTIONS = StateTable(
    SelectionState,
    {
        SelectionState.PROPOSED: {
            SelectionState.CONFIRMED,
            SelectionState.REFUSED,
            SelectionState.WITHDRAWN,
        },
        SelectionState.CONFIRMED: set(),
        SelectionState.REFUSED: set(),
        SelectionState.WITHDRAWN: set(),
    },
)

# Interview round number -> the round's stage and its invited candidates' state (REC-6, REC-7).
INTERVIEW_STAGES = {
    1: (RoundState.ROUND_ONE, CandidateState.ROUND_ONE),
    2: (RoundState.ROUND_TWO, CandidateState.ROUND_TWO),
}


def check_round_move(round_id: str, current: RoundState, target: RoundState) -> None:
    """Raise IllegalTransition unless the round may move from `current` to `target`."""
    ROUNDS.check(f"round {round_id}", current, target)


def check_candidate_move(
    candidate_id: str, current: CandidateState, target: CandidateState
) -> None:
    """Raise IllegalTransition unless the candidate may move from `current` to `target`."""
    CANDIDATES.check(f"candidate {candidate_id}", current, target)


class _Tier(Protocol):
    """A voorkeursbeleid tier (`rules.Tier`): internal or not."""

    @property
    def internal(self) -> bool: ...


def check_may_apply(round_id: str, state: RoundState, tier: _Tier) -> None:
    """Internal candidates may apply once published; external ones only after the window (REC-4)."""
    open_for = (
        {RoundState.INTERNAL, RoundState.EXTERNAL} if tier.internal else {RoundState.EXTERNAL}
    )
    if state not in open_for:
        who = "an internal" if tier.internal else "an external (tier 4)"
        raise RecruitmentRefused(
            f"Cannot register {who} candidate for round {round_id}: the round is "
            f"{state.value!r}; allowed while {', '.join(sorted(s.value for s in open_for))}."
        )


def leaving_state(state: CandidateState) -> CandidateState:
    """How an open candidate leaves a round that closed without them (REC-11): a prospect of a
    koffiemoment withdraws, everyone else is rejected."""
    return CandidateState.WITHDRAWN if state is CandidateState.PROSPECT else CandidateState.REJECTED
