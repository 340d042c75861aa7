"""What P&O and Prefect see of a round (X-3): its stage, candidates per tier and per state, and
who still has to decide; ids and counts only, never a name."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.approvals.decisions import recorded_decisions
from poflow.approvals.models import ApprovalRequest
from poflow.kernel.foureyes import Outcome
from poflow.recruitment.gates import gate
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundTally
from poflow.recruitment.rounds import get_round
from poflow.recruitment.states import CandidateState

__all__ = ["progress_lines", "progress_rows", "round_progress"]


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
    rnd = get_round(session, round_id)
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


def progress_rows(progress: dict[str, Any]) -> list[dict[str, Any]]:
    """The progress as the rows of the round's Prefect table artifact (Dutch labels)."""
    rows: list[dict[str, Any]] = [{"wat": "fase", "waarde": progress["stage"]}]
    rows += [
        {"wat": f"kandidaten categorie {t}", "waarde": n} for t, n in progress["per_tier"].items()
    ]
    rows += [{"wat": f"status {s}", "waarde": n} for s, n in progress["per_state"].items()]
    rows += [
        {"wat": f"wacht op besluit {w['subject']}", "waarde": ", ".join(w["waiting_for"])}
        for w in progress["waiting_approvals"]
    ]
    return rows


def progress_lines(progress: dict[str, Any]) -> list[str]:
    """The progress as `poflow recruitment status` prints it (Dutch labels)."""
    lines = [f"{progress['round_id']} ({progress['municipality']}): {progress['stage']}"]
    if progress["external_from"]:
        lines.append(
            f"  intern vanaf {progress['internal_from']}, extern vanaf {progress['external_from']}"
        )
    lines.append(
        "  per categorie: " + ", ".join(f"{t}: {n}" for t, n in progress["per_tier"].items())
    )
    lines.append(
        "  per status: " + (", ".join(f"{s}: {n}" for s, n in progress["per_state"].items()) or "-")
    )
    lines += [
        f"  wacht op {', '.join(w['waiting_for'])} ({w['subject']})"
        for w in progress["waiting_approvals"]
    ]
    if progress["hire_id"]:
        lines.append(f"  nieuwe medewerker: {progress['hire_id']}")
    return lines
