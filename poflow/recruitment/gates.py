"""The four-eyes gates of a round (REC-2, REC-3, REC-8, REC-9): the formation change, the
vacancy text, the decision on the offer and the terms talk.

Each gate is an approval request of `poflow.approvals` about one subject; a round asks it of
named people and counts only their decisions. Here: the subjects, where a gate stands, and which
gate a round waits for in its current stage.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow._exceptions import NotFound
from poflow.approvals.decisions import recorded_decisions
from poflow.approvals.models import Approval
from poflow.approvals.requests import find_request
from poflow.kernel.foureyes import Outcome
from poflow.recruitment.models import RecruitmentRound, RoundTransition
from poflow.recruitment.rules import gate_outcome
from poflow.recruitment.states import RoundState

__all__ = [
    "DECISION",
    "FORMATION",
    "GATE_OF_STAGE",
    "TERMS",
    "VACANCY",
    "asked_gate",
    "awaited_subject",
    "decision_subject",
    "gate",
    "rejection_note",
    "terms_subject",
    "vacancy_subject",
]

# The approval subject types of a round's gates.
FORMATION, VACANCY = "rec_formation", "rec_vacancy"  # REC-2, REC-3
DECISION, TERMS = "rec_offer", "rec_terms"  # REC-8, REC-9

# The gate a round waits for in each stage; in the others it waits for a person's next step.
GATE_OF_STAGE = {
    RoundState.FORMATION_REVIEW: FORMATION,
    RoundState.TEXT_REVIEW: VACANCY,
    RoundState.DECISION: DECISION,
    RoundState.TERMS: TERMS,
}


def vacancy_subject(rnd: RecruitmentRound) -> str:
    """The approval subject id of the round's current vacancy text."""
    return f"{rnd.id}:v{rnd.vacancy_version}"


def decision_subject(session: Session, rnd: RecruitmentRound) -> str:
    """Approval subject of the current decision: the candidate and the attempt number."""
    entries = (
        session.scalar(
            select(func.count())
            .select_from(RoundTransition)
            .where(
                RoundTransition.round_id == rnd.id,
                RoundTransition.to_state == RoundState.DECISION.value,
            )
        )
        or 0
    )
    return f"{rnd.offer_candidate_id}:d{entries}"


def terms_subject(rnd: RecruitmentRound) -> str:
    """Approval subject of the current terms: the candidate and the terms version."""
    return f"{rnd.offer_candidate_id}:t{rnd.terms_version}"


def gate(session: Session, subject_type: str, subject_id: str) -> Outcome:
    """The outcome of an approval asked by this round, counting only the people asked."""
    request = find_request(session, subject_type, subject_id)
    if request is None:
        raise NotFound(f"No approval was requested for {subject_type} {subject_id}")
    decisions = recorded_decisions(session, subject_type, subject_id)
    return Outcome(
        gate_outcome(dict(request.required), ((d.role, d.person_id, d.approve) for d in decisions))
    )


def rejection_note(session: Session, subject_type: str, subject_id: str) -> str | None:
    """The reason given with a rejection of this subject, if anyone rejected it."""
    row = session.scalar(
        select(Approval).where(
            Approval.subject_type == subject_type,
            Approval.subject_id == subject_id,
            Approval.approve.is_(False),
        )
    )
    return row.reason if row is not None else None


def awaited_subject(session: Session, rnd: RecruitmentRound) -> tuple[str, str] | None:
    """The gate (subject type and id) the round waits for in its stage, or None when it waits
    for a person's step (the terms gate exists only once P&O recorded the terms)."""
    kind = GATE_OF_STAGE.get(rnd.state)
    if kind is None or (kind == TERMS and not rnd.terms_version):
        return None
    if kind == FORMATION:
        subject = rnd.id
    elif kind == VACANCY:
        subject = vacancy_subject(rnd)
    elif kind == DECISION:
        subject = decision_subject(session, rnd)
    else:
        subject = terms_subject(rnd)
    return kind, subject


def asked_gate(session: Session, rnd: RecruitmentRound) -> dict[str, Any] | None:
    """The gate the round waits for as its flow needs it (subject and role -> person id, ids
    only), or None when it waits for no gate or the gate was not asked yet."""
    subject = awaited_subject(session, rnd)
    if subject is None:
        return None
    request = find_request(session, *subject)
    if request is None:
        return None
    return {
        "subject_type": subject[0],
        "subject_id": subject[1],
        "municipality": rnd.municipality,
        "required": dict(request.required),
    }
