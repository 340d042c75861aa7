"""Resume a paused Prefect flow run once the database change it waits for is committed.

A link's action runs inside a transaction and the flow it wakes re-reads the database, so the
resume must happen after the commit (an earlier one would wake the flow to a stale world). The
run may not be paused yet (a flow checks the database before it pauses): the resume is retried
in a background thread for a while and given up, logged with ids only (X-3), once the run is
finished or the time is up. The flow run can then still be resumed from the Prefect UI.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = ["resume_after_commit", "resume_flow_run_when_paused"]

log = logging.getLogger("poflow.resume")
_PENDING = "poflow_resume_after_commit"


def resume_after_commit(
    session: Session, flow_run_id: str, run_input: dict[str, Any], *, wait_s: float = 120.0
) -> None:
    """Resume `flow_run_id` with `run_input` (ids and states only) after `session` commits."""
    session.info.setdefault(_PENDING, []).append((flow_run_id, dict(run_input), wait_s))


@event.listens_for(Session, "after_commit")
def _start_pending(session: Session) -> None:
    for flow_run_id, run_input, wait_s in session.info.pop(_PENDING, []):
        context = contextvars.copy_context()  # keeps the Prefect API settings of this thread
        threading.Thread(
            target=context.run,
            args=(resume_flow_run_when_paused, flow_run_id, run_input),
            kwargs={"wait_s": wait_s},
            name=f"poflow-resume-{flow_run_id[:8]}",
            daemon=True,
        ).start()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def resume_flow_run_when_paused(
    flow_run_id: str, run_input: dict[str, Any], *, wait_s: float = 120.0, interval_s: float = 0.5
) -> bool:
    """Resume the run as soon as it is paused; False when it finished or never paused in time."""
    from prefect.client.orchestration import get_client
    from prefect.flow_runs import resume_flow_run

    run_id = UUID(flow_run_id)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            resume_flow_run(run_id, run_input=run_input)
        except Exception as exc:  # noqa: BLE001  (not paused yet, or the API is away: retry)
            problem = type(exc).__name__
        else:
            log.info("resumed flow run %s", flow_run_id)
            return True
        try:
            with get_client(sync_client=True) as client:
                state = client.read_flow_run(run_id).state
        except Exception:  # noqa: BLE001
            state = None
        if state is not None and state.is_final():
            log.info(
                "flow run %s already finished (%s); no resume needed", flow_run_id, state.type.value
            )
            return False
        if time.monotonic() >= deadline:
            log.warning(
                "could not resume flow run %s within %.0f s (%s); resume it from the Prefect UI",
                flow_run_id,
                wait_s,
                problem,
            )
            return False
        time.sleep(interval_s)
