"""Tasks of the recruitment flows: one side effect or one read each, ids and counts only (X-3).

What a round waits for, how it advances and what its progress shows are decided in
poflow.recruitment; a task only opens the transaction around one such call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.tasks import exponential_backoff
from sqlalchemy.orm import Session

from poflow.engine import Context
from poflow.mail.sending import SmtpTarget
from poflow.recruitment import documents, retention, rounds, stages, status
from poflow.runtime import get_runtime, today

__all__ = [
    "advance",
    "attach_round",
    "open_gate",
    "open_need",
    "open_selection",
    "publish_progress",
    "purge_rejected",
    "send_documents",
]


def _ctx(session: Session, municipality: str) -> Context:
    rt = get_runtime()
    return rt.context(session, municipality, today(), actor=rounds.FLOW_ACTOR)


@task(name="rec-open-need", task_run_name="rec-open-{municipality}")
def open_need(municipality: str, need: dict[str, Any]) -> str:
    """Register the wervingsbehoefte (REC-1); returns the new round's id."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        return rounds.open_round(_ctx(session, municipality), **need).id


@task(name="rec-attach-round", task_run_name="rec-attach-{round_id}")
def attach_round(round_id: str, flow_run_id: str) -> dict[str, str]:
    """Remember which flow run drives the round (so steps can wake it); its municipality and
    the P&O adviser who takes the round's own steps (ids)."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        municipality = rounds.attach_flow_run(session, round_id, flow_run_id)
        return {
            "municipality": municipality,
            "po_adviseur": rounds.get_round(session, round_id).po_id,
        }


@task(name="rec-advance", task_run_name="rec-advance-{round_id}")
def advance(round_id: str) -> str:
    """Apply every decided approval of the round, in order; returns the round's state."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        rnd = rounds.get_round(session, round_id)
        return stages.advance_round(_ctx(session, rnd.municipality), round_id).value


@task(name="rec-open-gate", task_run_name="rec-gate-{round_id}")
def open_gate(round_id: str) -> dict[str, Any] | None:
    """The approval the round now waits for (subject and role -> person id), or None."""
    rt = get_runtime()
    with rt.factory() as session:
        return stages.awaited_gate(session, round_id)


@task(name="rec-open-selection", task_run_name="rec-selection-{round_id}")
def open_selection(round_id: str) -> dict[str, Any] | None:
    """The selection the round waits on P&O to confirm (REC-5), ids only, or None."""
    rt = get_runtime()
    with rt.factory() as session:
        return stages.awaited_selection(session, round_id)


@task(
    name="rec-send-documents",
    task_run_name="rec-send-documents",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
)
def send_documents() -> int:
    """Send the aanstellingsadvies documents not sent yet (PDF attached), once each."""
    rt = get_runtime()
    target = SmtpTarget.from_settings(rt.settings)
    return len(documents.send_documents(rt.factory, target, documents.senders(rt.configs)))


@task(name="rec-publish-progress", task_run_name="rec-progress-{round_id}")
def publish_progress(round_id: str) -> dict[str, Any]:
    """The round's stage, counts per tier and waiting approvals as a table artifact (ids only)."""
    rt = get_runtime()
    with rt.factory() as session:
        progress = status.round_progress(session, round_id)
    create_table_artifact(
        key=f"recruitment-{round_id.lower()}",
        table=status.progress_rows(progress),
        description=f"Wervingsronde {round_id}: voortgang (ids en aantallen)",
    )
    return progress


@task(name="rec-purge", task_run_name="rec-purge-{municipality}-{day}")
def purge_rejected(municipality: str, day: date) -> dict[str, int]:
    """Remove rejected candidates whose retention ended; returns counts (X-3)."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        report = retention.purge_candidates(session, rt.config(municipality), day)
    return {"candidates": report.candidates, "mails": report.mails, "steps": report.steps}
