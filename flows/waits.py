"""Waiting for people without holding a process, and the watch over those waits.

A recruitment round or a four-eyes question can wait weeks for a person. Prefect offers two
waits: `pause_flow_run` keeps the run's Python process alive until it is resumed (weeks of a
process per round), `suspend_flow_run` ends the process and leaves the run *Suspended* on the
server; `resume_flow_run` then reschedules it and whatever serves its deployment (`poflow serve`,
or a Prefect worker) runs the flow again from the top. We suspend: the flows re-read the database
on every start anyway (X-1: every task is a read or a repeat-safe step), so a rerun from the top
is the same as waking up, and nothing of Prefect's result persistence is needed (no task result
is reused across the suspension). A restart of `poflow serve` loses nothing: a suspended run is
only a row on the Prefect server; a resume while nothing serves waits as a scheduled run.

Only a run started from a deployment can be suspended (Prefect reschedules it through the
deployment). A flow called directly (a test, a shell) pauses in-process instead, as before.

No Prefect input form is offered: every answer a round waits for needs a person's identity and
is given on poflow's own pages (or CLI); the UI's *Resume* only makes the run look again.
Each wait has a timeout: the Prefect server fails a suspended run whose time is up, and the
waits watch (every 5 minutes) mails P&O about it; the watch also resumes a run whose awaited
change came while its wake-up was lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.schedules import Cron

from poflow.failure import notify_po_of_failure, notify_po_of_stopped_wait
from poflow.flows.crashes import tell_crashed
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime
from poflow.tasks.waits import check_waiting_runs, show_wait
from poflow.waits import describe_run

__all__ = ["deployment", "suspendable", "wait_failed", "wait_for_people", "waits_watch"]

DAY_S = 24 * 3600


def wait_for_people(
    key: str,
    subject: str,
    waiting_for: Mapping[str, str],
    *,
    step: str,
    timeout_days: float,
    poll_seconds: int,
) -> None:
    """Show whom the run waits for (role -> person id), then suspend it (or pause, undeployed)."""
    show_wait(key, subject, dict(waiting_for), step)
    timeout = max(1, round(timeout_days * DAY_S))
    if suspendable():
        # A new key each time: the flow decides from the database whether to wait again.
        suspend_flow_run(timeout=timeout, key=uuid4().hex)
    else:
        pause_flow_run(timeout=timeout, poll_interval=poll_seconds)


def suspendable() -> bool:
    """True in a top-level run started from a deployment: the only runs Prefect can suspend."""
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    return run is not None and run.deployment_id is not None and run.parent_task_run_id is None


def wait_failed(flow: Any, flow_run: Any, state: Any) -> None:
    """Hook of the waiting flows: tell P&O of the round's or question's municipality."""
    with get_runtime().factory() as session:
        slug, subject = describe_run(session, dict(flow_run.parameters or {}))
    if slug is None:
        notify_po_of_failure(flow, flow_run, state)
        return
    notify_po_of_stopped_wait(
        str(flow_run.id), slug, subject=subject, reason=getattr(state, "message", None)
    )


@flow(
    name="poflow-waits-watch",
    flow_run_name="waits-watch",
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def waits_watch() -> dict[str, int]:
    """Resume waits whose answer came without waking them; report waits that stopped and runs
    the server set Crashed after their process died (flows/crashes.py); counts."""
    summary = check_waiting_runs()
    summary["crashed"] = tell_crashed()
    get_run_logger().info("waits: %s", summary)
    return summary


def deployment() -> Any:
    """The waits watch, every 5 minutes."""
    return waits_watch.to_deployment(
        name="every-5-minutes",
        schedule=Cron("*/5 * * * *", timezone=TIMEZONE),
        tags=["poflow"],
        description="Resumes waits whose answer came; tells P&O of waits that stopped.",
    )
