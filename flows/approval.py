"""Wait for a four-eyes decision (REC-9): ask both people, wait until both have decided.

The flow only sequences. The decision itself is taken through each person's own link; the
web app resumes this run when the outcome becomes final. On every start the flow reads the
outcome from the database, so a resume from the Prefect UI cannot stand in for an approval.
While it waits the run holds no process (flows/waits.py says how and why).
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from poflow.flows.waits import wait_failed, wait_for_people
from poflow.tasks.approvals import open_approval_request, read_approval_outcome
from poflow.tasks.mail import send_mail

__all__ = ["await_four_eyes", "deployment"]


@flow(
    name="poflow-four-eyes",
    flow_run_name="four-eyes-{subject_type}-{subject_id}",
    on_failure=[wait_failed],
    on_crashed=[wait_failed],
    log_prints=False,
)
def await_four_eyes(
    subject_type: str,
    subject_id: str,
    municipality: str,
    required: dict[str, str],
    timeout_days: float = 30,
    poll_seconds: int = 10,
) -> str:
    """Request the approval (role -> person id), mail the links, wait; return the outcome.

    `poll_seconds` only matters when called without a deployment (an in-process pause).
    """
    open_approval_request(subject_type, subject_id, municipality, required, str(flow_run.id))
    send_mail(municipality)
    while True:
        outcome = read_approval_outcome(subject_type, subject_id)
        if outcome != "pending":
            return outcome
        wait_for_people(
            f"{subject_type}-{subject_id}".lower(),
            f"besluit {subject_type} {subject_id}",
            required,
            step="beide besluiten (vierogenprincipe)",
            timeout_days=timeout_days,
            poll_seconds=poll_seconds,
        )


def deployment() -> Any:
    """The four-eyes flow, started with ids for a question outside a recruitment round."""
    return await_four_eyes.to_deployment(
        name="four-eyes",
        tags=["poflow", "approvals"],
        description="Asks two people for a four-eyes decision and waits; parameters are ids.",
    )
