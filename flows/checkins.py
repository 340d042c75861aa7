"""The check-ins' day as a Prefect flow (CHK-1..3): the talks at 1, 3 and 8 months.

As the policy has it: the leidinggevende is invited when the talk is planned and the new employee
from the first working day, after the welcome at work (their invitation waits for onboarding's
welcome, which runs first); a reminder before the talk; "gesprek heeft plaatsgevonden" asked for
after it; escalation to P&O when it is not recorded. Its artifact counts each step per
municipality and lists the action ids (X-3).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from prefect import flow

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import Step, daily_deployment, process_run_name, run_process

__all__ = ["STEPS", "checkins", "deployments"]

STEPS: tuple[Step, ...] = (
    ("uitnodigingen", frozenset({"chk.invite", "chk.invite_hire"})),
    ("herinneringen", frozenset({"chk.remind"})),
    ("vastleggen", frozenset({"chk.record"})),
    ("escalaties", frozenset({"chk.escalate"})),
)


@flow(
    name="poflow-checkins",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def checkins(
    day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """The check-ins' day: invitations, reminders, asking for the record, escalation."""
    return run_process("checkins", STEPS, day, municipality, within_day=within_day)


def deployments() -> list[Any]:
    """The check-ins' day at 07:10 on the CAO's working days, after onboarding's (07:00)."""
    return [
        daily_deployment(
            checkins,
            time(7, 10),
            "Check-ins na 1, 3 en 8 maanden: uitnodigingen, herinneringen, vastleggen, escalaties.",
        )
    ]
