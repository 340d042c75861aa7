"""`poflow serve`: every scheduled deployment of poflow, served from this process."""

from __future__ import annotations

from typing import Any

from prefect import serve

from poflow.flows import approval, waits
from poflow.flows.crashes import ensure_crash_detection
from poflow.flows.dispatcher import dispatcher
from poflow.processes import PROCESSES

__all__ = ["POLL_S", "all_deployments", "serve_deployments"]

POLL_S = 2.0  # how often the served deployments look for runs to start (scheduled, resumed)


def dispatcher_deployment() -> Any:
    """The daily parent, unscheduled: the whole day in order (plan, every process's day as a
    subflow, seal, send), for a run by hand. Each process's own deployment has the schedule."""
    return dispatcher.to_deployment(
        name="daily",
        description="De hele dag in volgorde: plant nieuwe mensen, elk proces als subflow, "
        "verzegelt de auditlog, verstuurt de mail. Met de hand te starten.",
        tags=["poflow"],
    )


def all_deployments() -> list[Any]:
    """The daily parent's deployment, those each process declares (in the order of PROCESSES:
    its day on the CAO's working days, its other flows), and the waiting machinery's: the
    four-eyes flow and the waits watch."""
    found = [dispatcher_deployment()]
    for spec in PROCESSES:
        if spec.deployments is not None:
            found.extend(spec.deployments())
    return [*found, approval.deployment(), waits.deployment()]


def serve_deployments(workers: int | None = None) -> None:
    """Run poflow's web app (the links in mails; `workers` processes, default one per CPU,
    or in a thread of this process for 1) and every deployment until interrupted."""
    from poflow.settings import get_settings
    from poflow.web.server import default_workers, serve_web_in_processes, serve_web_in_thread

    count = default_workers() if workers is None else workers
    settings = get_settings()
    web = (
        serve_web_in_thread(settings)
        if count <= 1
        else serve_web_in_processes(settings, workers=count)
    )
    print(f"poflow web app (links in mails) on {web.url} ({count} worker processes)")
    try:
        # Look for resumed waits every 2 s (Prefect's default is 10 s): a decision's next
        # step follows within seconds (goal p95 <= 10 s, measured by the benchmark).
        # A run whose process is killed is set Crashed by the server (heartbeats), and the
        # waits watch tells P&O.
        ensure_crash_detection()
        serve(*all_deployments(), query_seconds=POLL_S)
    finally:
        web.stop()
