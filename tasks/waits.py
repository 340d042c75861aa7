"""Tasks of waiting for people: show whom a run waits for, and the waits watch's reads and acts.

Ids and roles only, never a name (X-3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.flow_runs import resume_flow_run

from poflow.failure import notify_po_of_stopped_wait
from poflow.runtime import get_runtime
from poflow.waits import WaitingRun, waiting_runs

__all__ = ["check_waiting_runs", "show_wait"]

BATCH = 200  # flow runs read from the Prefect API per request


@task(name="show-wait", task_run_name="wait-{key}")
def show_wait(key: str, subject: str, waiting_for: Mapping[str, str], step: str) -> None:
    """A markdown artifact and a log line naming the role and person id the run waits for."""
    key = re.sub(r"[^a-z0-9-]+", "-", key.lower())  # Prefect's artifact keys
    lines = [f"| {role} | {person} |" for role, person in sorted(waiting_for.items())]
    create_markdown_artifact(
        key=f"wacht-{key}",
        markdown="\n".join(
            [f"**{subject}** wacht op: {step}", "", "| rol | persoon-id |", "|---|---|", *lines]
        ),
        description=f"{subject}: op wie de run wacht (ids)",
    )
    who = ", ".join(f"{r} {p}" for r, p in sorted(waiting_for.items()))
    get_run_logger().info("%s waits for %s (%s); the run holds no process", subject, who, step)


@task(name="check-waiting-runs", task_run_name="check-waiting-runs")
def check_waiting_runs() -> dict[str, int]:
    """Resume runs whose awaited change came; tell P&O of runs that failed while waiting."""
    rt = get_runtime()
    with rt.factory() as session:
        waits = waiting_runs(session)
    resumed = stopped = 0
    ids = sorted(waits)
    with get_client(sync_client=True) as client:
        runs = [
            run
            for start in range(0, len(ids), BATCH)
            for run in client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    id=FlowRunFilterId(any_=[UUID(i) for i in ids[start : start + BATCH]])
                ),
                limit=BATCH,
            )
        ]
    for run in runs:
        wait = waits[str(run.id)]
        state = run.state
        if state is None:
            continue
        if state.is_paused() and _changed_since(wait, state.timestamp):
            try:
                resume_flow_run(run.id)
            except Exception as exc:  # noqa: BLE001  (resumed meanwhile, or timed out: next pass)
                get_run_logger().info("run %s not resumed: %s", run.id, type(exc).__name__)
                continue
            resumed += 1
        elif state.is_failed() or state.is_crashed():
            notify_po_of_stopped_wait(
                str(run.id), wait.municipality, subject=wait.subject, reason=state.message
            )
            stopped += 1
    return {"waiting": len(waits), "resumed": resumed, "stopped": stopped}


def _changed_since(wait: WaitingRun, suspended_at: datetime) -> bool:
    return wait.changed_at is not None and wait.changed_at > suspended_at
