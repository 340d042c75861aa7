"""Retention of candidates' personal data (X-3): removed on time, anonymous counts kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, select, update
from sqlalchemy.orm import Session

from poflow import audit
from poflow.approvals.models import Approval, ApprovalRequest
from poflow.config import MunicipalityConfig
from poflow.db.models import Action, Outbox, Step
from poflow.engine import SYSTEM_ACTOR
from poflow.kernel.vocabulary import CaseType
from poflow.links import ActionLink
from poflow.recruitment.config import RecruitmentSection
from poflow.recruitment.gates import DECISION, TERMS
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundTally
from poflow.recruitment.rules import retention_day
from poflow.recruitment.states import CandidateState

__all__ = ["PurgeReport", "purge_candidates"]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one retention pass removed: counts only."""

    candidates: int
    mails: int
    steps: int


def _delete(session: Session, statement: Delete) -> int:
    """Run a DELETE; the number of rows it removed."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount or 0


def _tally(session: Session, round_id: str, tier: int, outcome: str) -> None:
    row = session.scalar(
        select(RoundTally).where(
            RoundTally.round_id == round_id, RoundTally.tier == tier, RoundTally.outcome == outcome
        )
    )
    if row is None:
        session.add(RoundTally(round_id=round_id, tier=tier, outcome=outcome, count=1))
    else:
        row.count += 1


def _forget_in_approvals(session: Session, candidate_id: str) -> None:
    """Approval titles and reasons about the candidate lose their text; the decisions stay."""
    mine = ApprovalRequest.subject_id.startswith(f"{candidate_id}:")
    session.execute(
        update(ApprovalRequest)
        .where(ApprovalRequest.subject_type.in_((DECISION, TERMS)), mine)
        .values(title="[verwijderd na de bewaartermijn]")
    )
    session.execute(
        update(Approval)
        .where(
            Approval.subject_type.in_((DECISION, TERMS)),
            Approval.subject_id.startswith(f"{candidate_id}:"),
        )
        .values(reason=None)
    )


def purge_candidates(session: Session, config: MunicipalityConfig, day: date) -> PurgeReport:
    """Remove rejected and withdrawn candidates whose retention ended; keep anonymous counts.

    Default 4 weeks after the round closed, or 1 year with the candidate's consent. Their
    interviews, links and mails go with them; the audit log keeps ids only.
    """
    cfg = config.section("recruitment", RecruitmentSection)
    rows = session.execute(
        select(Candidate, RecruitmentRound.closed_on)
        .join(RecruitmentRound, Candidate.round_id == RecruitmentRound.id)
        .where(
            Candidate.municipality == config.slug,
            Candidate.state.in_([CandidateState.REJECTED, CandidateState.WITHDRAWN]),
            RecruitmentRound.closed_on.is_not(None),
        )
        .order_by(Candidate.id)
    ).all()
    gone, mails, steps = 0, 0, 0
    for cand, closed_on in rows:
        if closed_on is None:  # the query asks for closed rounds only
            continue
        due = retention_day(
            closed_on,
            consent=cand.consent_retention,
            weeks=cfg.retention_weeks,
            consent_months=cfg.retention_consent_months,
        )
        if day < due:
            continue
        case = (Outbox.case_type == CaseType.CANDIDATE) & (Outbox.case_id == cand.id)
        mails += _delete(session, delete(Outbox).where(case))
        mails += _delete(session, delete(Outbox).where(Outbox.recipient_id == cand.id))
        session.execute(
            delete(ActionLink).where(
                ActionLink.case_type == CaseType.CANDIDATE, ActionLink.case_id == cand.id
            )
        )
        session.execute(
            delete(Action).where(Action.case_type == CaseType.CANDIDATE, Action.case_id == cand.id)
        )
        steps += _delete(
            session,
            delete(Step).where(Step.case_type == CaseType.CANDIDATE, Step.case_id == cand.id),
        )
        _forget_in_approvals(session, cand.id)
        _tally(session, cand.round_id, cand.tier, cand.state.value)
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="candidate.purged",
            entity_type=CaseType.CANDIDATE,
            entity_id=cand.id,
            municipality=config.slug,
            round=cand.round_id,
            consent=cand.consent_retention,
            due=due.isoformat(),
        )
        session.delete(cand)
        gone += 1
    session.flush()
    return PurgeReport(candidates=gone, mails=mails, steps=steps)
