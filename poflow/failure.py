"""Flow hooks: tell P&O by mail when a run fails (self-hosted Prefect cannot mail itself)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from poflow.mail.sending import send_queued
from poflow.runtime import get_runtime, today

__all__ = ["notify_po_of_failure"]

log = logging.getLogger("poflow.failure")


def notify_po_of_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Queue a failure notice for P&O of the run's municipality (or all) and try to send it."""
    from poflow.tasks.mail import smtp_target

    rt = get_runtime()
    params = dict(getattr(flow_run, "parameters", {}) or {})
    raw_day = params.get("day")
    day = date.fromisoformat(str(raw_day)) if raw_day else today()
    reason = (getattr(state, "message", None) or "onbekende fout")[:300]
    try:
        with rt.factory() as session, session.begin():
            for slug in rt.slugs(params.get("municipality")):
                ctx = rt.context(session, slug, day)
                ctx.mail(
                    key=f"run-failed:{flow_run.id}:{slug}",
                    template="dispatcher_mislukt",
                    to=ctx.po_recipient(),
                    context={"run_id": str(flow_run.id), "dag": day, "fout": reason},
                    case_type="run",
                    case_id=str(flow_run.id)[:40],
                )
        send_queued(rt.factory, smtp_target(rt.settings), municipality=params.get("municipality"))
    except Exception:  # noqa: BLE001  (a failing hook must not hide the run's own failure)
        log.warning("could not send the failure notice of run %s; it stays queued", flow_run.id)
