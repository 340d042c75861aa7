"""Simulate a range of days in one flow run: each day is the dispatcher's own tasks, in order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prefect import flow

from poflow.engine import perform_groups
from poflow.failure import notify_po_of_failure
from poflow.runtime import get_runtime
from poflow.tasks.engine import perform_due_actions, plan_new_cases, seal_audit_log
from poflow.tasks.mail import send_mail

__all__ = ["simulate_days"]


@flow(
    name="poflow-simulation",
    flow_run_name="simulate-{first}-{last}",
    on_failure=[notify_po_of_failure],
    log_prints=False,
)
def simulate_days(first: date, last: date, municipality: str | None = None) -> dict[str, Any]:
    """Run the dispatcher's plan, perform and send tasks for every day from first to last;
    each day's mails are dated that day."""
    rt = get_runtime()
    totals = {"days": 0, "planned": 0, "performed": 0, "sent": 0}
    per_day: dict[str, int] = {}
    day = first
    while day <= last:
        sent_before = totals["sent"]
        slugs = rt.slugs(municipality)
        for slug in slugs:
            totals["planned"] += len(plan_new_cases(slug, day))
        for group in perform_groups(rt.working_on(day, slugs)):
            totals["performed"] += sum(
                done["performed"] for done in perform_due_actions(group, day).values()
            )
        totals["sent"] += send_mail.with_options(retries=0)(municipality, dated=day)["sent"]
        per_day[day.isoformat()] = totals["sent"] - sent_before
        totals["days"] += 1
        day += timedelta(days=1)
    seal_audit_log(last, municipality)  # the simulated days' audit rows onto their chains (X-4)
    return {**totals, "sent_per_day": per_day}
