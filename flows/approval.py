"""Wait for a four-eyes decision (REC-9): ask both people, pause until both have decided.

The flow only sequences. The decision itself is taken through each person's own link; the
web app resumes this run when the outcome becomes final. On every wake-up the flow reads the
outcome from the database, so a resume from the Prefect UI cannot stand in for an approval.
"""

from __future__ import annotations

from prefect import flow
from prefect.flow_runs import pause_flow_run
from prefect.runtime import flow_run

from poflow.approvals.requests import ApprovalInput
from poflow.tasks.approvals import open_approval_request, read_approval_outcome
from poflow.tasks.mail import send_mail

__all__ = ["await_four_eyes"]

DAY_S = 24 * 3600


@flow(
    name="poflow-four-eyes", flow_run_name="four-eyes-{subject_type}-{subject_id}", log_prints=False
)
def await_four_eyes(
    subject_type: str,
    subject_id: str,
    municipality: str,
    required: dict[str, str],
    timeout_days: int = 30,
    poll_seconds: int = 10,
) -> str:
    """Request the approval (role -> person id), mail the links, wait; return the outcome."""
    open_approval_request(subject_type, subject_id, municipality, required, str(flow_run.id))
    send_mail(municipality)
    while True:
        outcome = read_approval_outcome(subject_type, subject_id)
        if outcome != "pending":
            return outcome
        pause_flow_run(
            wait_for_input=ApprovalInput, timeout=timeout_days * DAY_S, poll_interval=poll_seconds
        )
