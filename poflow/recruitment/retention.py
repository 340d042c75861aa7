"""Retention of candidates' personal data (X-3) and the round's progress in ids and counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from poflow import audit
from poflow.approvals.decisions import recorded_decisions
from poflow.approvals.models import Approval, ApprovalRequest
from poflow.config import MunicipalityConfig
from poflow.db.models import Action, Outbox, Step
from poflow.kernel.foureyes import Outcome
from poflow.links import ActionLink
from poflow.recruitment.config import RecruitmentSection
from poflow.recruitment.mails import CANDIDATE_CASE
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundTally
from poflow.recruitment.rounds import gate
from poflow.recruitment.rules import CandidateState, retention_day

__all__ = ["PurgeReport", "purge_candidates", "round_progress"]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one retention pass removed: counts only."""

    candidates: int
    mails: int
    steps: int


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
        .where(ApprovalRequest.subject_type.in_(("rec_offer", "rec_terms")), mine)
        .values(title="[verwijderd na de bewaartermijn]")
    )
    session.execute(
        update(Approval)
        .where(
            Approval.subject_type.in_(("rec_offer", "rec_terms")),
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
        due = retention_day(
            closed_on,
            consent=cand.consent_retention,
            weeks=cfg.retention_weeks,
            consent_months=cfg.retention_consent_months,
        )
        if day < due:
            continue
        case = (Outbox.case_type == CANDIDATE_CASE) & (Outbox.case_id == cand.id)
        mails += session.execute(delete(Outbox).where(case)).rowcount or 0
        mails += session.execute(delete(Outbox).where(Outbox.recipient_id == cand.id)).rowcount or 0
        session.execute(
            delete(ActionLink).where(
                ActionLink.case_type == CANDIDATE_CASE, ActionLink.case_id == cand.id
            )
        )
        session.execute(
            delete(Action).where(Action.case_type == CANDIDATE_CASE, Action.case_id == cand.id)
        )
        steps += (
            session.execute(
                delete(Step).where(Step.case_type == CANDIDATE_CASE, Step.case_id == cand.id)
            ).rowcount
            or 0
        )
        _forget_in_approvals(session, cand.id)
        _tally(session, cand.round_id, cand.tier, cand.state.value)
        audit.record(
            session,
            actor="system",
            action="candidate.purged",
            entity_type="candidate",
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


def _waiting(session: Session, rnd: RecruitmentRound) -> list[dict[str, Any]]:
    prefix = [rnd.id, f"{rnd.id}:", f"{rnd.id}-K"]
    requests = session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.municipality == rnd.municipality,
            ApprovalRequest.subject_type.like("rec_%"),
        )
    ).all()
    waiting = []
    for req in requests:
        if not (req.subject_id == prefix[0] or req.subject_id.startswith(tuple(prefix[1:]))):
            continue
        if gate(session, req.subject_type, req.subject_id) is not Outcome.PENDING:
            continue
        done = {d.role for d in recorded_decisions(session, req.subject_type, req.subject_id)}
        waiting.append(
            {
                "subject": f"{req.subject_type}:{req.subject_id}",
                "waiting_for": sorted(set(req.required) - done),
            }
        )
    return waiting


def round_progress(session: Session, round_id: str) -> dict[str, Any]:
    """Stage, counts per tier and per state, and open approvals: ids and counts only (X-3)."""
    rnd = session.get(RecruitmentRound, round_id)
    if rnd is None:
        from poflow._exceptions import NotFound

        raise NotFound(f"Recruitment round {round_id} does not exist")
    cands = session.scalars(select(Candidate).where(Candidate.round_id == rnd.id)).all()
    per_tier = Counter(c.tier for c in cands if c.state is not CandidateState.PROSPECT)
    tallies = session.scalars(select(RoundTally).where(RoundTally.round_id == rnd.id)).all()
    for t in tallies:
        per_tier[t.tier] += t.count
    return {
        "round_id": rnd.id,
        "municipality": rnd.municipality,
        "stage": rnd.state.value,
        "internal_from": rnd.internal_from.isoformat() if rnd.internal_from else None,
        "external_from": rnd.external_from.isoformat() if rnd.external_from else None,
        "per_tier": {str(t): per_tier.get(t, 0) for t in (1, 2, 3, 4)},
        "per_state": dict(sorted(Counter(c.state.value for c in cands).items())),
        "purged": sum(t.count for t in tallies),
        "waiting_approvals": _waiting(session, rnd),
        "hire_id": rnd.hire_id,
    }
