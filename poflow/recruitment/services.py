"""The recruitment process in one import: every service, handler, planner and link action."""

from __future__ import annotations

from poflow.engine import Context
from poflow.recruitment.appointment import (
    apply_decision_outcome,
    apply_terms_outcome,
    create_hire,
    propose_offer,
    record_terms,
)
from poflow.recruitment.candidates import (
    add_candidate,
    plan_interviews,
    plan_koffiemoment,
    select_for_round,
)
from poflow.recruitment.documents import send_documents
from poflow.recruitment.retention import purge_candidates, round_progress
from poflow.recruitment.rounds import (
    apply_formation_outcome,
    apply_vacancy_outcome,
    cancel_round,
    draft_vacancy,
    get_round,
    open_round,
)
from poflow.recruitment.rules import RoundState

__all__ = [
    "add_candidate",
    "advance_round",
    "apply_decision_outcome",
    "apply_formation_outcome",
    "apply_terms_outcome",
    "apply_vacancy_outcome",
    "cancel_round",
    "create_hire",
    "draft_vacancy",
    "get_round",
    "open_round",
    "plan_interviews",
    "plan_koffiemoment",
    "propose_offer",
    "purge_candidates",
    "record_terms",
    "round_progress",
    "select_for_round",
    "send_documents",
]


def advance_round(ctx: Context, round_id: str) -> RoundState:
    """Apply every decided approval to the round, in order; safe to repeat (the flow's check)."""
    apply_formation_outcome(ctx, round_id)
    apply_vacancy_outcome(ctx, round_id)
    apply_decision_outcome(ctx, round_id)
    apply_terms_outcome(ctx, round_id)
    create_hire(ctx, round_id)
    return get_round(ctx.session, round_id).state
