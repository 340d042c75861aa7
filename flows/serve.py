"""`poflow serve`: every scheduled deployment of poflow, served from this process."""

from __future__ import annotations

from typing import Any

from prefect import serve
from prefect.schedules import Cron

from poflow.flows import approval, waits
from poflow.flows.dispatcher import dispatcher
from poflow.kernel.calendar import TIMEZONE
from poflow.processes import PROCESSES

__all__ = ["POLL_S", "all_deployments", "serve_deployments"]

POLL_S = 2.0  # how often the served deployments look for runs to start (scheduled, resumed)


def dispatcher_deployment() -> Any:
    """The daily dispatcher: working days (Mon-Fri) at 07:00 Europe/Amsterdam.

    Holidays are skipped inside the run (it only sends what is queued), because a cron
    schedule does not know the CAO calendar.
    """
    return dispatcher.to_deployment(
        name="daily",
        schedule=Cron("0 7 * * 1-5", timezone=TIMEZONE),
        description="Plans new hires, performs what is due today, sends the mail.",
        tags=["poflow"],
    )


def all_deployments() -> list[Any]:
    """The dispatcher's deployment, those each process declares (in the order of PROCESSES), and
    the waiting machinery's: the four-eyes flow and the waits watch."""
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
        serve(*all_deployments(), query_seconds=POLL_S)
    finally:
        web.stop()
