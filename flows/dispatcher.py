"""The daily dispatcher: plan new cases, do what is due, send the mail. Safe to run again."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger

from poflow.engine import perform_groups
from poflow.failure import notify_po_of_failure
from poflow.runtime import get_runtime, today
from poflow.tasks.engine import (
    find_municipalities_with_work,
    perform_due_actions,
    plan_new_cases,
    seal_audit_log,
)
from poflow.tasks.mail import send_mail

__all__ = ["dispatcher"]


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return f"dispatch-{params.get('day') or today()}-{params.get('municipality') or 'all'}"


@flow(
    name="poflow-dispatcher",
    flow_run_name=lambda: _run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def dispatcher(day: date | None = None, municipality: str | None = None) -> dict[str, Any]:
    """Perform everything due on `day` (default: today) for one or every municipality, seal
    the audit rows onto their chains and send the mail."""
    day = day or today()
    rt = get_runtime()
    summary: dict[str, Any] = {"day": day.isoformat(), "municipalities": {}}
    work = find_municipalities_with_work(day, municipality)
    idle = {"planned": 0, "performed": 0, "skipped": 0}
    counts = {slug: dict(idle) for slug in rt.slugs(municipality)}
    # Only municipalities with work get task runs (342 municipalities on a quiet day: none).
    for slug in work["plan"]:
        counts[slug]["planned"] = len(plan_new_cases(slug, day))
    for group in perform_groups(rt.working_on(day, work["perform"])):
        for slug, done in perform_due_actions(group, day).items():
            counts[slug].update(done)
    summary["municipalities"] = counts
    # The day's audit rows onto their chains, before the mail: a mail server that is down
    # must not leave them unsealed.
    if work["plan"] or work["perform"] or work["seal"]:
        summary["audit"] = seal_audit_log(day, municipality)
    delays = [rt.settings.send_retry_delay_s * 2**i for i in range(rt.settings.send_retries)]
    summary["mail"] = send_mail.with_options(
        retries=rt.settings.send_retries, retry_delay_seconds=delays or 0
    )(municipality, dated=None if day == today() else day)  # a simulated day dates its mails
    get_run_logger().info("dispatch %s: %s", day.isoformat(), summary)
    return summary
