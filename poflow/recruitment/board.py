"""The recruitment board's read model (issue 21, the workspace): every round of a municipality
with its stage and the person it waits on, and one round's four-eyes gates with each asked
person's decision. Ids, roles, dates and states only; the page adds the names it may show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.approvals.models import Approval, ApprovalRequest
from poflow.kernel.foureyes import Outcome
from poflow.recruitment.gates import gate
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.selection import pending_selection
from poflow.recruitment.states import RoundState

__all__ = ["STAGE_NL", "Gate", "GateDecision", "RoundWait", "gates_of", "rounds_of", "waits_on"]

# Each stage in Dutch, in the order of the procedure (the board's columns).
STAGE_NL: dict[RoundState, str] = {
    RoundState.FORMATION_REVIEW: "Formatiewijziging",
    RoundState.DRAFTING: "Vacaturetekst schrijven",
    RoundState.TEXT_REVIEW: "Vacaturetekst bevestigen",
    RoundState.INTERNAL: "Intern gepubliceerd",
    RoundState.EXTERNAL: "Extern gepubliceerd",
    RoundState.ROUND_ONE: "Eerste gespreksronde",
    RoundState.ROUND_TWO: "Tweede gespreksronde",
    RoundState.DECISION: "Besluit over het aanbod",
    RoundState.TERMS: "Arbeidsvoorwaardengesprek",
    RoundState.ADVICE: "Aanstellingsadvies",
    RoundState.FILLED: "Vervuld",
    RoundState.CANCELLED: "Ingetrokken",
}

# Whose step a round waits for when it waits for no gate: (the round's column, what, in Dutch).
_STEP_OF_STAGE: dict[RoundState, tuple[str, str]] = {
    RoundState.DRAFTING: ("po_id", "schrijft de vacaturetekst"),
    RoundState.INTERNAL: ("mt_lid_id", "selecteert voor de eerste ronde"),
    RoundState.EXTERNAL: ("mt_lid_id", "selecteert voor de eerste ronde"),
    RoundState.ROUND_ONE: ("mt_lid_id", "selecteert voor de tweede ronde"),
    RoundState.ROUND_TWO: ("po_id", "stelt het aanbod voor"),
    RoundState.TERMS: ("po_id", "legt de arbeidsvoorwaarden vast"),
    RoundState.ADVICE: ("po_id", "meldt de arbeidsovereenkomst opgesteld"),
}


@dataclass(frozen=True, slots=True)
class RoundWait:
    """Who a round waits for: person ids with what each is to do (Dutch), or nobody."""

    people: tuple[tuple[str, str], ...]  # (person id, what)


@dataclass(frozen=True, slots=True)
class GateDecision:
    """One asked person of a gate, and their decision when it is in."""

    role: str
    person_id: str
    approve: bool | None  # None: not decided yet
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Gate:
    """One four-eyes gate of a round (formation, vacancy text, offer, terms) and its state."""

    subject_type: str
    subject_id: str
    title: str  # may name the candidate: for the page only, never logged
    outcome: Outcome
    asked: tuple[GateDecision, ...]


def _requests(session: Session, rnd: RecruitmentRound) -> list[ApprovalRequest]:
    """The approval requests of the round: about the round itself, a vacancy text version
    ("<round>:v1") or one of its candidates ("<round>-K…")."""
    found = session.scalars(
        select(ApprovalRequest)
        .where(
            ApprovalRequest.municipality == rnd.municipality,
            ApprovalRequest.subject_type.like("rec_%"),
            ApprovalRequest.subject_id.like(f"{rnd.id}%"),
        )
        .order_by(ApprovalRequest.id)
    )
    own = (f"{rnd.id}:", f"{rnd.id}-K")
    return [r for r in found if r.subject_id == rnd.id or r.subject_id.startswith(own)]


def gates_of(session: Session, rnd: RecruitmentRound) -> list[Gate]:
    """Every gate the round asked, oldest first, with each asked person's decision."""
    out = []
    for req in _requests(session, rnd):
        rows = session.scalars(
            select(Approval).where(
                Approval.subject_type == req.subject_type, Approval.subject_id == req.subject_id
            )
        ).all()
        by_role = {a.role: a for a in rows}
        asked = tuple(
            GateDecision(
                role,
                person,
                by_role[role].approve if role in by_role else None,
                by_role[role].at if role in by_role else None,
            )
            for role, person in req.required.items()
        )
        state = gate(session, req.subject_type, req.subject_id)
        out.append(Gate(req.subject_type, req.subject_id, req.title, state, asked))
    return out


def waits_on(session: Session, rnd: RecruitmentRound) -> RoundWait:
    """Whom the round waits for now: the asked people of an open gate who did not decide yet,
    the P&O adviser asked to confirm the MT-lid's selection (REC-5), else the person whose step
    comes next in its stage; nobody once it is filled or cancelled."""
    if rnd.state.final:
        return RoundWait(())
    proposed = pending_selection(session, rnd.id)
    if proposed is not None:
        return RoundWait(((proposed.po_id, "bevestigt de selectie van het MT-lid"),))
    pending = [g for g in gates_of(session, rnd) if g.outcome is Outcome.PENDING]
    if pending:
        return RoundWait(
            tuple(
                (d.person_id, "neemt een besluit")
                for g in pending
                for d in g.asked
                if d.approve is None
            )
        )
    step = _STEP_OF_STAGE.get(rnd.state)
    if step is None:
        return RoundWait(())
    person = getattr(rnd, step[0])
    return RoundWait(((person, step[1]),) if person else ())


def rounds_of(
    session: Session, municipality: str, *, involving: str | None = None
) -> list[RecruitmentRound]:
    """The municipality's rounds, newest first; only those naming `involving` (a person id) in
    one of their parts when given."""
    query = select(RecruitmentRound).where(RecruitmentRound.municipality == municipality)
    if involving is not None:
        r = RecruitmentRound
        query = query.where(
            (r.po_id == involving)
            | (r.mt_lid_id == involving)
            | (r.leidinggevende_id == involving)
            | (r.colleague_id == involving)
            | (r.recruiter_id == involving)
            | (r.gemeentesecretaris_id == involving)
            | (r.or_id == involving)
        )
    order = (RecruitmentRound.created_at.desc(), RecruitmentRound.id.desc())
    return list(session.scalars(query.order_by(*order)))
