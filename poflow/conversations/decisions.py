"""Legal-status decisions (GES-5): an extra appraisal is planned and the decision waits for it."""

from __future__ import annotations

from datetime import date

from poflow._exceptions import IllegalTransition, NotFound
from poflow.conversations.case import Case, find_cycle
from poflow.conversations.models import LegalDecision
from poflow.conversations.rules import LegalKind, holds_talks
from poflow.conversations.states import LegalState, check_legal_decision
from poflow.conversations.talks import plan_extra_talk
from poflow.db.base import utcnow
from poflow.engine import Context

__all__ = ["plan_extra_appraisal", "record_legal_decision"]


def plan_extra_appraisal(
    ctx: Context,
    case: Case,
    *,
    kind: LegalKind,
    on: date,
    requested_by: str,
    manager_id: str | None = None,
) -> LegalDecision:
    """Plan an extra beoordelingsgesprek for a legal-status decision outside the cycle (GES-5)."""
    manager_id = manager_id or case.manager_id
    if manager_id is None:
        raise NotFound(
            f"Cannot plan an extra appraisal for {case.case_type} {case.case_id}: no "
            "leidinggevende is known (it has no conversation cycle); name one with --manager."
        )
    manager = ctx.person(manager_id)
    if not holds_talks(manager.role_names, manager.municipality, case.municipality):
        raise IllegalTransition(
            f"Cannot plan an extra appraisal for {case.case_type} {case.case_id} with manager "
            f"{manager_id}: that person is not a leidinggevende of {case.municipality}."
        )
    day = ctx.calendar.next_working_day(on)
    decision = LegalDecision(
        municipality=case.municipality,
        case_type=case.case_type,
        case_id=case.case_id,
        manager_id=manager_id,
        kind=kind,
        state=LegalState.AWAITING_APPRAISAL,
        appraisal_on=day,
        requested_by=requested_by,
    )
    ctx.session.add(decision)
    ctx.session.flush()
    step = plan_extra_talk(
        ctx,
        case_type=case.case_type,
        case_id=case.case_id,
        manager_id=manager_id,
        decision_id=decision.id,
        day=day,
        label=kind.label,
    )
    ctx.audit(
        "ges.legal.requested",
        "ges_legal_decision",
        str(decision.id),
        case=case.case_id,
        kind=kind.value,
        step=step.id,
        on=day.isoformat(),
    )
    return decision


def record_legal_decision(
    ctx: Context,
    decision_id: int,
    *,
    by: str,
    note: str | None = None,
) -> LegalDecision:
    """Record that the decision was taken; AppraisalRequired while its appraisal is missing."""
    decision = ctx.session.get(LegalDecision, decision_id)
    if decision is None:
        raise NotFound(f"Legal-status decision {decision_id} does not exist")
    what = f"legal-status decision {decision.id} ({decision.kind.value}) of {decision.case_id}"
    try:
        check_legal_decision(what, decision.state, LegalState.DECIDED)
    except Exception:
        ctx.audit(
            "ges.legal.refused", "ges_legal_decision", str(decision.id), state=decision.state.value
        )
        raise
    decision.state = LegalState.DECIDED
    decision.decided_by, decision.decided_at, decision.note = by, utcnow(), note
    if decision.kind is LegalKind.PROMOTIE:
        cycle = find_cycle(ctx.session, decision.case_type, decision.case_id)
        if cycle is not None:
            cycle.last_promotion_on = ctx.day
    ctx.audit(
        "ges.legal.decided",
        "ges_legal_decision",
        str(decision.id),
        kind=decision.kind.value,
        has_note=bool(note),
    )
    return decision
