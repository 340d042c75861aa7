"""Tasks of the recruitment flows: one side effect or one read each, ids and counts only (X-3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.tasks import exponential_backoff
from sqlalchemy import select

from poflow.approvals.models import ApprovalRequest
from poflow.engine import Context
from poflow.recruitment import services as rec
from poflow.recruitment.appointment import DECISION, TERMS, decision_subject, terms_subject
from poflow.recruitment.rounds import FLOW_ACTOR, FORMATION, VACANCY, get_round, vacancy_subject
from poflow.recruitment.rules import RoundState
from poflow.runtime import get_runtime, today
from poflow.tasks.mail import smtp_target

__all__ = [
    "advance",
    "attach_round",
    "open_gate",
    "open_need",
    "publish_progress",
    "purge_rejected",
    "send_documents",
]


def _ctx(session: Any, municipality: str) -> Context:
    rt = get_runtime()
    return rt.context(session, municipality, today(), actor=FLOW_ACTOR)


@task(name="rec-open-need", task_run_name="rec-open-{municipality}")
def open_need(municipality: str, need: dict[str, Any]) -> str:
    """Register the wervingsbehoefte (REC-1); returns the new round's id."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        return rec.open_round(_ctx(session, municipality), **need).id


@task(name="rec-attach-round", task_run_name="rec-attach-{round_id}")
def attach_round(round_id: str, flow_run_id: str) -> str:
    """Remember which flow run drives the round (so steps can wake it); returns its municipality."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        rnd = get_round(session, round_id)
        rnd.flow_run_id = flow_run_id
        return rnd.municipality


@task(name="rec-advance", task_run_name="rec-advance-{round_id}")
def advance(round_id: str) -> str:
    """Apply every decided approval of the round, in order; returns the round's state."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        rnd = get_round(session, round_id)
        return rec.advance_round(_ctx(session, rnd.municipality), round_id).value


@task(name="rec-open-gate", task_run_name="rec-gate-{round_id}")
def open_gate(round_id: str) -> dict[str, Any] | None:
    """The approval the round now waits for (subject and role -> person id), or None."""
    rt = get_runtime()
    with rt.factory() as session:
        rnd = get_round(session, round_id)
        ctx = _ctx(session, rnd.municipality)
        subject: tuple[str, str] | None = {
            RoundState.FORMATION_REVIEW: (FORMATION, rnd.id),
            RoundState.TEXT_REVIEW: (VACANCY, vacancy_subject(rnd)),
            RoundState.DECISION: (DECISION, decision_subject(ctx, rnd)),
            RoundState.TERMS: (TERMS, terms_subject(rnd)) if rnd.terms_version else None,
        }.get(rnd.state)
        if subject is None:
            return None
        request = session.scalar(
            select(ApprovalRequest).where(
                ApprovalRequest.subject_type == subject[0], ApprovalRequest.subject_id == subject[1]
            )
        )
        if request is None:
            return None
        return {
            "subject_type": subject[0],
            "subject_id": subject[1],
            "municipality": rnd.municipality,
            "required": dict(request.required),
        }


@task(
    name="rec-send-documents",
    task_run_name="rec-send-documents",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
)
def send_documents() -> int:
    """Send the aanstellingsadvies documents not sent yet (PDF attached), once each."""
    rt = get_runtime()
    senders = {
        slug: (c.municipality.sender_name, str(c.municipality.sender_email))
        for slug, c in rt.configs.items()
    }
    return len(rec.send_documents(rt.factory, smtp_target(rt.settings), senders))


@task(name="rec-publish-progress", task_run_name="rec-progress-{round_id}")
def publish_progress(round_id: str) -> dict[str, Any]:
    """The round's stage, counts per tier and waiting approvals as a table artifact (ids only)."""
    rt = get_runtime()
    with rt.factory() as session:
        progress = rec.round_progress(session, round_id)
    rows = [{"wat": "fase", "waarde": progress["stage"]}]
    rows += [
        {"wat": f"kandidaten categorie {t}", "waarde": n} for t, n in progress["per_tier"].items()
    ]
    rows += [{"wat": f"status {s}", "waarde": n} for s, n in progress["per_state"].items()]
    rows += [
        {"wat": f"wacht op besluit {w['subject']}", "waarde": ", ".join(w["waiting_for"])}
        for w in progress["waiting_approvals"]
    ]
    create_table_artifact(
        key=f"recruitment-{round_id.lower()}",
        table=rows,
        description=f"Wervingsronde {round_id}: voortgang (ids en aantallen)",
    )
    return progress


@task(name="rec-purge", task_run_name="rec-purge-{municipality}-{day}")
def purge_rejected(municipality: str, day: date) -> dict[str, int]:
    """Remove rejected candidates whose retention ended; returns counts (X-3)."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        report = rec.purge_candidates(session, rt.config(municipality), day)
    return {"candidates": report.candidates, "mails": report.mails, "steps": report.steps}
