"""What P&O sees of the conversation cycle: one case's talks, appraisals and legal-status
decisions, and every cycle with its next open step. Read only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.conversations.case import PROCESS, Case
from poflow.conversations.models import Appraisal, GesCycle, LegalDecision
from poflow.db.models import Step
from poflow.states import StepState

__all__ = [
    "TalkRow",
    "appraisals",
    "cycle_steps",
    "cycles",
    "legal_decisions",
    "next_open_step",
    "open_talks",
]


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


@dataclass(frozen=True, slots=True)
class TalkRow:
    """One open talk of the cycle and the state of its form: the POP form the employee hands
    in before a richtgesprek (GES-2), the appraisal form the leidinggevende fills in for a
    beoordelingsgesprek (GES-3). Ids and dates only."""

    step_id: int
    case_type: str
    case_id: str
    talk: str  # "richtgesprek" or "beoordelingsgesprek"
    title: str
    due_date: date
    manager_id: str | None
    extra: bool  # an extra beoordelingsgesprek for a legal-status decision (GES-5)
    form_done: bool
    form_due: date | None  # the POP form's deadline; None for an appraisal form


def open_talks(session: Session, municipality: str, *, until: date) -> list[TalkRow]:
    """Every open richtgesprek and beoordelingsgesprek of the municipality due up to `until`
    (those overdue included), by due date, with the state of its form."""
    steps = [
        s
        for s in session.scalars(
            select(Step)
            .where(
                Step.municipality == municipality,
                Step.process == PROCESS,
                Step.state == StepState.OPEN,
                Step.due_date <= until,
            )
            .order_by(Step.due_date, Step.id)
        )
        if s.data.get("talk") in ("richtgesprek", "beoordelingsgesprek")
    ]
    recorded = set(
        session.scalars(
            select(Appraisal.step_id).where(Appraisal.step_id.in_([s.id for s in steps]))
        )
    )
    pops = {
        (p.case_type, p.case_id, p.key): p
        for p in session.scalars(
            select(Step).where(
                Step.municipality == municipality,
                Step.process == PROCESS,
                Step.key.like("ges:%:pop"),
                Step.case_id.in_({s.case_id for s in steps}),
            )
        )
    }
    out = []
    for s in steps:
        talk = str(s.data["talk"])
        pop = pops.get((s.case_type, s.case_id, f"ges:{s.data.get('round')}:pop"))
        if talk == "richtgesprek":
            done = pop is not None and pop.state == StepState.DONE
            due = pop.due_date if pop is not None else None
        else:
            done, due = s.id in recorded, None
        out.append(
            TalkRow(
                s.id,
                s.case_type,
                s.case_id,
                talk,
                s.title,
                s.due_date,
                s.owner_id,
                "extra" in s.data,
                done,
                due,
            )
        )
    return out
