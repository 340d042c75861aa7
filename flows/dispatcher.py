"""The daily parent: plan new cases, run each process's day as a subflow in the day's order, seal
the audit log, send the mail. Safe to run again.

Each process's day is its own flow run (`onboarding-2027-01-04-all`, `checkins-...`) with its own
artifact, so P&O sees per day and per process what was done and retries one process's run
without touching the others (X-1: every action and mail has a unique key). One process failing
does not stop the others: the parent runs them all, seals and sends, then fails naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import process_day, send_with_retries
from poflow.runtime import get_runtime, today
from poflow.tasks.engine import find_municipalities_with_work, plan_new_cases, seal_audit_log

__all__ = ["daily_flow", "dispatcher"]


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return f"dispatch-{params.get('day') or today()}-{params.get('municipality') or 'all'}"


def daily_flow(process: str) -> Any:
    """The daily flow of `process`: its own (`flows/<process>.py`) or the generic one."""
    spec = get_runtime().registry.process(process)
    return spec.daily_flow() if spec.daily_flow is not None else process_day


@flow(
    name="poflow-dispatcher",
    flow_run_name=lambda: _run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def dispatcher(day: date | None = None, municipality: str | None = None) -> dict[str, Any]:
    """Plan new cases, run every process's day on `day` (default: today) for one or every
    municipality, seal the audit rows onto their chains and send the mail."""
    day = day or today()
    rt = get_runtime()
    summary: dict[str, Any] = {"day": day.isoformat(), "processes": {}}
    work = find_municipalities_with_work(day, municipality)
    idle = {"planned": 0, "performed": 0, "skipped": 0}
    counts = {slug: dict(idle) for slug in rt.slugs(municipality)}
    for slug in work["plan"]:
        counts[slug]["planned"] = len(plan_new_cases(slug, day))
    failed: list[str] = []
    # A quiet day (342 municipalities, nothing due) starts no subflow at all.
    for process in rt.daily_processes() if work["plan"] or work["perform"] else []:
        kwargs: dict[str, Any] = {"day": day, "municipality": municipality, "within_day": True}
        if rt.registry.process(process).daily_flow is None:
            kwargs["process"] = process
        try:
            # The parent's heartbeat speaks for its subflows (each thread would cost ~0.5 s at
            # its end); when the parent is Crashed the watch crashes them too (flows/crashes.py).
            with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                done = daily_flow(process)(**kwargs)
        except Exception:  # noqa: BLE001  (its run is Failed in the UI; the others go on)
            failed.append(process)
            continue
        summary["processes"][process] = done["municipalities"]
        for slug, did in done["municipalities"].items():
            counts[slug]["performed"] += did["performed"]
            counts[slug]["skipped"] += did["skipped"]
    summary["municipalities"] = counts
    # The day's audit rows onto their chains, before the mail: a mail server that is down
    # must not leave them unsealed.
    if work["plan"] or work["perform"] or work["seal"]:
        summary["audit"] = seal_audit_log(day, municipality)
    summary["mail"] = send_with_retries(municipality, day)
    get_run_logger().info("dispatch %s: %s", day.isoformat(), summary["municipalities"])
    if failed:
        raise RuntimeError(
            f"the day's run of {', '.join(failed)} failed (see its flow run); the other "
            "processes were done, the mail sent. Retry that run alone."
        )
    return summary
