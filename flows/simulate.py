"""Simulate a range of days in one flow run: each day is the dispatcher's own tasks, in order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prefect import flow

from poflow.failure import notify_po_of_failure
from poflow.runtime import get_runtime
from tasks.engine import perform_due_actions, plan_new_cases
from tasks.mail import send_mail

__all__ = ["simulate_days"]


@flow(
    name="poflow-simulation",
    flow_run_name="simulate-{first}-{last}",
    on_failure=[notify_po_of_failure],
    log_prints=False,
)
def simulate_days(first: date, last: date, municipality: str | None = None) -> dict[str, Any]:
    """Run the dispatcher's plan, perform and send tasks for every day from first to last."""
    rt = get_runtime()
    totals = {"days": 0, "planned": 0, "performed": 0, "sent": 0}
    per_day: dict[str, int] = {}
    day = first
    while day <= last:
        sent_before = totals["sent"]
        for slug in rt.slugs(municipality):
            totals["planned"] += len(plan_new_cases(slug, day))
            if rt.config(slug).calendar.is_working_day(day):
                totals["performed"] += perform_due_actions(slug, day)["performed"]
        totals["sent"] += send_mail.with_options(retries=0)(municipality)["sent"]
        per_day[day.isoformat()] = totals["sent"] - sent_before
        totals["days"] += 1
        day += timedelta(days=1)
    return {**totals, "sent_per_day": per_day}
