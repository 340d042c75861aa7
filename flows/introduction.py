"""The introduction programme as Prefect flows (INT-1..6): its day, and its group sessions.

The day (`introduction`), as the policy has it: the programme offered and the welcome, the
sessions' reminders, attendance and closing, the TMA debrief and the startontwikkelgesprek
invited and reminded, the leidinggevende's role items, and e-learning reminded and, at its
deadline, reported late. Its artifact counts each step per municipality and lists action ids.

The group sessions (INT-3, INT-4):

A cron cannot say "every 6 weeks on a working day", so each flow runs every weekday morning and
computes from the configured anchor and interval whether today is a session-planning day (the
invitation window of a session, rolled to working days under the CAO calendar). On other days it
does nothing. Reminders, the attendance list and closing are dated actions of the dispatcher.
Runs carry ids and counts only (X-3).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.schedules import Cron

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import Step, daily_deployment, process_run_name, run_process
from poflow.introduction.sessions import series_to_plan, worth_publishing
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime, today
from poflow.tasks.introduction import plan_session_series, publish_session_overview
from poflow.tasks.mail import send_mail

__all__ = [
    "STEPS",
    "deployments",
    "evaluatiebijeenkomst",
    "introduction",
    "modules",
    "run_series",
    "startbijeenkomst",
]

STEPS: tuple[Step, ...] = (
    ("aanbod en welkom", frozenset({"int.offer", "int.welcome"})),
    (
        "bijeenkomsten",
        frozenset({"int.session_remind", "int.session_attendance", "int.session_close"}),
    ),
    ("gesprekken", frozenset({"int.talk_invite", "int.talk_remind"})),
    ("rol leidinggevende", frozenset({"int.role_item"})),
    ("e-learning", frozenset({"int.elearning_remind", "int.elearning_overdue"})),
)

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
    name="poflow-introduction",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def introduction(
    day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """The introduction programme's day: offers, sessions, talks, role items, e-learning."""
    return run_process("introduction", STEPS, day, municipality, within_day=within_day)


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
    """The programme's day at 07:15 on the CAO's working days; the three session flows, each on
    weekdays at 06:30 Europe/Amsterdam."""
    return [
        daily_deployment(
            introduction,
            time(7, 15),
            "Introductieprogramma: aanbod, bijeenkomsten, gesprekken, rol leidinggevende, "
            "e-learning.",
        ),
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
