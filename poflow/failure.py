"""Flow hooks: tell P&O by mail when a run fails (self-hosted Prefect cannot mail itself).

Two notices, each queued under a key per run and municipality so it goes out once (X-1): a
failed or crashed run (`notify_po_of_failure`, the hook of the scheduled flows) and a wait for
people that failed or ran out of time (`notify_po_of_stopped_wait`, from the waiting flows' hooks
and from the waits watch, which sees the runs the Prefect server failed while they held nothing).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from poflow.mail.sending import send_queued
from poflow.runtime import get_runtime, today

__all__ = ["notify_po_of_failure", "notify_po_of_stopped_wait"]

log = logging.getLogger("poflow.failure")


def notify_po_of_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Queue a failure notice for P&O of the run's municipality (or all) and try to send it."""
    params = dict(getattr(flow_run, "parameters", {}) or {})
    raw_day = params.get("day")
    day = date.fromisoformat(str(raw_day)) if raw_day else today()
    reason = (getattr(state, "message", None) or "onbekende fout")[:300]
    _notify(
        str(flow_run.id),
        params.get("municipality"),
        template="dispatcher_mislukt",
        context={"run_id": str(flow_run.id), "dag": day, "fout": reason},
    )


def notify_po_of_stopped_wait(
    run_id: str, municipality: str, *, subject: str, reason: str | None
) -> None:
    """Queue the notice that the wait of run `run_id` on `subject` (ids) stopped, and send it."""
    _notify(
        run_id,
        municipality,
        template="wacht_gestopt",
        context={
            "run_id": run_id,
            "onderwerp": subject,
            "dag": today(),
            "fout": (reason or "onbekende fout")[:300],
        },
    )


def _notify(
    run_id: str, municipality: str | None, *, template: str, context: dict[str, Any]
) -> None:
    from poflow.tasks.mail import smtp_target

    rt = get_runtime()
    try:
        with rt.factory() as session, session.begin():
            for slug in rt.slugs(municipality):
                ctx = rt.context(session, slug, context["dag"])
                ctx.mail(
                    key=f"run-failed:{run_id}:{slug}",
                    template=template,
                    to=ctx.po_recipient(),
                    context=context,
                    case_type="run",
                    case_id=run_id[:40],
                )
        send_queued(rt.factory, smtp_target(rt.settings), municipality=municipality)
    except Exception:  # noqa: BLE001  (a failing hook must not hide the run's own failure)
        log.warning("could not send the failure notice of run %s; it stays queued", run_id)
