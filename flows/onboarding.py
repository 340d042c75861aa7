"""The daily onboarding report (ONB-4): each municipality's table and chart, a bar per hire.

It runs as its own flow after the dispatcher, not inside it: the report reads every running
hire's checklist (40,000 hires nationally, about 25 s), while a dispatcher run should cost what
is due. Only artifacts whose content changed are published again (poflow.published).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.schedules import Cron

from poflow.failure import notify_po_of_failure
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime, today
from poflow.tasks.onboarding import publish_onboarding_progress

__all__ = ["deployments", "onboarding_report"]


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
    """The onboarding report (ONB-4): working days at 07:30, after the dispatcher."""
    return [
        onboarding_report.to_deployment(
            name="daily",
            schedule=Cron("30 7 * * 1-5", timezone=TIMEZONE),
            description="Publishes each municipality's onboarding table and chart, a bar per hire.",
            tags=["poflow"],
        )
    ]
