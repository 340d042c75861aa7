"""The runs that wait for people, read from poflow's database (ids only, X-3).

A round's flow run and a four-eyes flow run hold no process while they wait (see
flows/waits.py). What each waits for lives here, in the database: an open round, or an approval
request with its run. The waits watch compares this with the runs' states in Prefect: a run still
suspended after the change it waited for (its wake-up was lost, e.g. the web app stopped between
the commit and the resume) is resumed, and a run that failed while it waited (the Prefect server
fails a suspended run whose time is up) is reported to P&O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow.approvals.models import ApprovalRequest
from poflow.db.base import utcnow
from poflow.kernel.foureyes import Outcome
from poflow.recruitment.models import RecruitmentRound, RoundTransition
from poflow.recruitment.states import RoundState

__all__ = ["WaitingRun", "describe_run", "waiting_runs"]

RECENT = timedelta(days=7)  # a decided request's run is still looked at this long


@dataclass
class WaitingRun:
    """One flow run that waits (or waited) for people: its subject and the latest change."""

    run_id: str
    municipality: str
    subject: str  # ids only, e.g. "wervingsronde WR-2027-0001"
    changed_at: datetime | None  # the latest change the run reacts to (UTC)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((x for x in (a, b) if x is not None), default=None)


def waiting_runs(session: Session) -> dict[str, WaitingRun]:
    """Flow run id -> what it waits for: open rounds and recent or open approval requests."""
    found: dict[str, WaitingRun] = {}
    finals = [s for s in RoundState if s.final]
    last_move = (
        select(RoundTransition.round_id, func.max(RoundTransition.at).label("at"))
        .group_by(RoundTransition.round_id)
        .subquery()
    )
    rows = session.execute(
        select(RecruitmentRound.id, RecruitmentRound.municipality, RecruitmentRound.flow_run_id)
        .add_columns(last_move.c.at)
        .outerjoin(last_move, last_move.c.round_id == RecruitmentRound.id)
        .where(RecruitmentRound.flow_run_id.is_not(None), RecruitmentRound.state.not_in(finals))
    ).all()
    for round_id, slug, run_id, moved_at in rows:
        found[run_id] = WaitingRun(run_id, slug, f"wervingsronde {round_id}", moved_at)
    since = utcnow() - RECENT
    requests = session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.flow_run_id.is_not(None),
            (ApprovalRequest.outcome == Outcome.PENDING) | (ApprovalRequest.decided_at >= since),
        )
    ).all()
    for req in requests:
        run_id = str(req.flow_run_id)
        subject = f"besluit {req.subject_type} {req.subject_id}"
        wait = found.setdefault(run_id, WaitingRun(run_id, req.municipality, subject, None))
        wait.changed_at = _later(wait.changed_at, req.decided_at)
    return found


def describe_run(session: Session, parameters: dict[str, Any]) -> tuple[str | None, str]:
    """The municipality and subject (ids) of a waiting flow run, from its parameters."""
    if round_id := parameters.get("round_id"):
        rnd = session.get(RecruitmentRound, str(round_id))
        return (rnd.municipality if rnd else None), f"wervingsronde {round_id}"
    subject = f"besluit {parameters.get('subject_type')} {parameters.get('subject_id')}"
    return parameters.get("municipality"), subject
