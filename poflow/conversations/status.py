"""What P&O sees of the conversation cycle: one case's talks, appraisals and legal-status
decisions, and every cycle with its next open step. Read only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.conversations.case import PROCESS, Case
from poflow.conversations.models import Appraisal, GesCycle, LegalDecision
from poflow.db.models import Step
from poflow.states import StepState

__all__ = ["appraisals", "cycle_steps", "cycles", "legal_decisions", "next_open_step"]


def cycle_steps(session: Session, case: Case) -> list[Step]:
    """The case's talks and POP forms, by due date."""
    return list(
        session.scalars(
            select(Step)
            .where(
                Step.case_type == case.case_type,
                Step.case_id == case.case_id,
                Step.process == PROCESS,
            )
            .order_by(Step.due_date, Step.id)
        )
    )


def appraisals(session: Session, case: Case) -> list[Appraisal]:
    """The case's recorded appraisals, oldest first."""
    return list(
        session.scalars(
            select(Appraisal)
            .where(Appraisal.case_type == case.case_type, Appraisal.case_id == case.case_id)
            .order_by(Appraisal.id)
        )
    )


def legal_decisions(session: Session, case: Case) -> list[LegalDecision]:
    """The case's legal-status decisions, oldest first."""
    return list(
        session.scalars(
            select(LegalDecision)
            .where(LegalDecision.case_type == case.case_type, LegalDecision.case_id == case.case_id)
            .order_by(LegalDecision.id)
        )
    )


def cycles(session: Session, municipality: str | None = None) -> list[GesCycle]:
    """Every cycle (of one municipality, when given), by municipality and case."""
    query = select(GesCycle).order_by(GesCycle.municipality, GesCycle.case_id)
    if municipality:
        query = query.where(GesCycle.municipality == municipality)
    return list(session.scalars(query))


def next_open_step(session: Session, cycle: GesCycle) -> Step | None:
    """The cycle's open step that is due first, if any."""
    return session.scalars(
        select(Step)
        .where(
            Step.case_type == cycle.case_type,
            Step.case_id == cycle.case_id,
            Step.process == PROCESS,
            Step.state == StepState.OPEN,
        )
        .order_by(Step.due_date)
        .limit(1)
    ).first()
