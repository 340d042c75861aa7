"""Tasks of the four-eyes flow: open the request (and queue its mails), read the outcome.

Each task is one side effect or one read, safe to repeat; parameters are ids only (X-3).
"""

from __future__ import annotations

from prefect import task

from poflow.approvals.requests import approval_outcome, request_approval
from poflow.runtime import get_runtime, today

__all__ = ["open_approval_request", "read_approval_outcome"]


@task(name="open-approval-request", task_run_name="open-approval-{subject_type}-{subject_id}")
def open_approval_request(
    subject_type: str,
    subject_id: str,
    municipality: str,
    required: dict[str, str],
    flow_run_id: str,
) -> None:
    """Record the request and queue each person's link mail once; attach the waiting run."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, municipality, today(), actor="system")
        request_approval(
            ctx,
            subject_type=subject_type,
            subject_id=subject_id,
            required=required,
            title=f"Besluit over {subject_type} {subject_id}",
            flow_run_id=flow_run_id,
        )


@task(name="read-approval-outcome", task_run_name="outcome-{subject_type}-{subject_id}")
def read_approval_outcome(subject_type: str, subject_id: str) -> str:
    """The subject's outcome now: pending, approved or rejected."""
    rt = get_runtime()
    with rt.factory() as session:
        return approval_outcome(session, subject_type, subject_id).value
