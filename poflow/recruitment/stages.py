"""The round's procedure as its flow (and `poflow recruitment advance`) drives it: apply every
decided gate in the order of the stages, and name the gate the round waits for now.

formation change? GS and OR (REC-2) -> vacancy text by P&O and the MT-lid (REC-3) -> internal,
then external publication (REC-4) -> selection and two interview rounds (REC-5..7) -> the
decision (REC-8) -> the four-eyes terms talk (REC-9) -> the aanstellingsadvies, then the hire
(REC-10).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from poflow.engine import Context
from poflow.recruitment.appointment import (
    apply_decision_outcome,
    apply_terms_outcome,
    create_hire,
)
from poflow.recruitment.gates import asked_gate
from poflow.recruitment.rounds import get_round
from poflow.recruitment.selection import pending_selection
from poflow.recruitment.states import RoundState
from poflow.recruitment.vacancy import apply_formation_outcome, apply_vacancy_outcome

__all__ = ["advance_round", "awaited_gate", "awaited_selection", "documents_then_advance"]


def advance_round(ctx: Context, round_id: str) -> RoundState:
    """Apply every decided approval to the round, in order; safe to repeat (the flow's check)."""
    apply_formation_outcome(ctx, round_id)
    apply_vacancy_outcome(ctx, round_id)
    apply_decision_outcome(ctx, round_id)
    apply_terms_outcome(ctx, round_id)
    create_hire(ctx, round_id)
    return get_round(ctx.session, round_id).state


def documents_then_advance(
    state: RoundState, send: Callable[[], object], apply: Callable[[], RoundState]
) -> RoundState:
    """After advance_round has reached `state` (committed): at the aanstellingsadvies its
    documents go out (`send`, each once, after that commit), then the decisions are applied
    again (`apply`), so the hire follows once P&O reports the contract (REC-10). What
    `poflow recruitment advance` and the round page's "Besluiten verwerken" both do."""
    if state is not RoundState.ADVICE:
        return state
    send()
    return apply()


def awaited_gate(session: Session, round_id: str) -> dict[str, Any] | None:
    """The approval the round now waits for (subject and role -> person id), or None."""
    return asked_gate(session, get_round(session, round_id))


def awaited_selection(session: Session, round_id: str) -> dict[str, Any] | None:
    """The MT-lid's selection the round waits on P&O to confirm (REC-5), ids only, or None."""
    sel = pending_selection(session, round_id)
    if sel is None:
        return None
    return {"selection": sel.id, "round_no": sel.round_no, "po_adviseur": sel.po_id}
