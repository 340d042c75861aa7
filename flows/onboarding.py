"""Onboarding as Prefect flows: the day's work (ONB-1..5, BUD-1..2) and the daily report (ONB-4).

The day, as the policy has it: notices (the announcement of each checklist item, the welcome, a
move or a cancellation told to everyone already told), reminders when an item is over its date,
escalation (owner -> leidinggevende -> P&O, once per level), then one digest a day per owner with
every notice of the day, and the buddy informed and closed. Its artifact counts each step per
municipality and lists the action ids (X-3).

The report runs as its own flow after the day, not inside it: it reads every running hire's
checklist (40,000 hires nationally, about 25 s), while a day's run should cost what is due.
Only artifacts whose content changed are published again (poflow.published).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.schedules import Cron

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import Step, daily_deployment, process_run_name, run_process
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime, today
from poflow.tasks.onboarding import publish_onboarding_progress

__all__ = ["STEPS", "deployments", "onboarding", "onboarding_report"]

STEPS: tuple[Step, ...] = (
    (
        "meldingen",
        frozenset(
            {"onb.announce", "onb.welcome", "onb.welcome_work", "hire.moved", "hire.cancelled"}
        ),
    ),
    ("herinneringen", frozenset({"onb.remind"})),
    ("escalaties", frozenset({"onb.escalate_manager", "onb.escalate_po"})),
    ("digests", frozenset({"onb.digest"})),
    ("buddy", frozenset({"bud.inform", "bud.celebrate", "bud.close"})),
)


@flow(
    name="poflow-onboarding",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def onboarding(
    day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """Onboarding's day: notices, reminders, escalation, one digest per owner, the buddy."""
    return run_process("onboarding", STEPS, day, municipality, within_day=within_day)


def _run_name() -> str:
    params = flow_run.parameters
    return f"onboarding-report-{params.get('day') or today()}-{params.get('municipality') or 'all'}"


@flow(
    name="poflow-onboarding-report",
    flow_run_name=lambda: _run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def onboarding_report(day: date | None = None, municipality: str | None = None) -> dict[str, Any]:
    """Publish the onboarding progress of one or every municipality on `day` (default: today)."""
    day = day or today()
    return publish_onboarding_progress(get_runtime().slugs(municipality), day)


def deployments() -> list[Any]:
    """Onboarding's day at 07:00 on the CAO's working days; the report (ONB-4) on weekdays at
    07:30, after the day's runs."""
    return [
        daily_deployment(
            onboarding,
            time(7, 0),
            "Onboarding: meldingen, herinneringen, escalaties, een digest per eigenaar, buddy.",
        ),
        onboarding_report.to_deployment(
            name="daily",
            schedule=Cron("30 7 * * 1-5", timezone=TIMEZONE),
            description="Publishes each municipality's onboarding table and chart, a bar per hire.",
            tags=["poflow"],
        ),
    ]
