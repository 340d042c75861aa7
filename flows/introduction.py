"""The introduction programme's group sessions as scheduled flows (INT-3, INT-4).

A cron cannot say "every 6 weeks on a working day", so each flow runs every weekday morning and
computes from the configured anchor and interval whether today is a session-planning day (the
invitation window of a session, rolled to working days under the CAO calendar). On other days it
does nothing. Reminders, the attendance list and closing are dated actions of the dispatcher.
Runs carry ids and counts only (X-3).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.schedules import Cron

from poflow.failure import notify_po_of_failure
from poflow.introduction.sessions import series_to_plan, worth_publishing
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime, today
from poflow.tasks.introduction import plan_session_series, publish_session_overview
from poflow.tasks.mail import send_mail

__all__ = ["deployments", "evaluatiebijeenkomst", "modules", "run_series", "startbijeenkomst"]

SCHEDULE = "30 6 * * 1-5"  # weekdays 06:30, before the dispatcher; holidays are skipped inside


def _run_name(prefix: str) -> str:
    params = flow_run.parameters
    return f"{prefix}-{params.get('day') or today()}-{params.get('municipality') or 'all'}"


def run_series(which: str, day: date | None, municipality: str | None) -> dict[str, Any]:
    """Plan the session of each series in `which` ("start", "evaluatie", "modules") per
    municipality."""
    day = day or today()
    rt = get_runtime()
    summary: dict[str, Any] = {"day": day.isoformat(), "municipalities": {}}
    for slug in rt.slugs(municipality):
        done = []
        for key in series_to_plan(rt.config(slug), which, day):
            counts = plan_session_series(slug, key, day)
            if worth_publishing(counts):
                publish_session_overview(slug, counts["session_id"])
            done.append(counts)
        summary["municipalities"][slug] = done
    summary["mail"] = send_mail(municipality)
    get_run_logger().info("introduction %s %s: %s", which, day.isoformat(), summary)
    return summary


@flow(
    name="int-startbijeenkomst",
    flow_run_name=lambda: _run_name("int-start"),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def startbijeenkomst(day: date | None = None, municipality: str | None = None) -> dict[str, Any]:
    """Startbijeenkomst (every 6 weeks, 1 h, with the gemeentesecretaris): invite who started."""
    return run_series("start", day, municipality)


@flow(
    name="int-evaluatiebijeenkomst",
    flow_run_name=lambda: _run_name("int-evaluatie"),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def evaluatiebijeenkomst(
    day: date | None = None, municipality: str | None = None
) -> dict[str, Any]:
    """Evaluatiebijeenkomst (every 3 months, 3 h): invite everyone in their programme period."""
    return run_series("evaluatie", day, municipality)


@flow(
    name="int-modules",
    flow_run_name=lambda: _run_name("int-modules"),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def modules(day: date | None = None, municipality: str | None = None) -> dict[str, Any]:
    """Classroom modules (INT-4): invite each in the programme's order."""
    return run_series("modules", day, municipality)


def deployments() -> list[Any]:
    """The three session flows, each on weekdays at 06:30 Europe/Amsterdam."""
    return [
        startbijeenkomst.to_deployment(
            name="startbijeenkomst",
            schedules=[Cron(SCHEDULE, timezone=TIMEZONE)],
            description="Startbijeenkomst eens per 6 weken: plant en nodigt uit op de "
            "planningsdagen die uit anker en reeks volgen.",
            tags=["poflow", "int"],
        ),
        evaluatiebijeenkomst.to_deployment(
            name="evaluatiebijeenkomst",
            schedules=[Cron(SCHEDULE, timezone=TIMEZONE)],
            description="Evaluatiebijeenkomst eens per 3 maanden voor wie in de "
            "programmaperiode zit.",
            tags=["poflow", "int"],
        ),
        modules.to_deployment(
            name="modules",
            schedules=[Cron(SCHEDULE, timezone=TIMEZONE)],
            description="Klassikale modules in de volgorde van het programma.",
            tags=["poflow", "int"],
        ),
    ]
