"""Moves and cancellations of hires as a Prefect flow (ONB-5): the calendar items withdrawn.

Onboarding's flow tells everyone already told of a move or a cancellation (it runs first); this
one sends the withdrawals (`METHOD:CANCEL`) of the invitations that no longer hold. Its artifact
counts them per municipality and lists the action ids (X-3).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from prefect import flow

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import Step, daily_deployment, process_run_name, run_process

__all__ = ["STEPS", "deployments", "hires"]

STEPS: tuple[Step, ...] = (("agenda-intrekkingen", frozenset({"calendar.cancel"})),)


@flow(
    name="poflow-hires",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def hires(
    day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """The day's withdrawals of calendar items after moves and cancellations."""
    return run_process("hires", STEPS, day, municipality, within_day=within_day)


def deployments() -> list[Any]:
    """The withdrawals at 07:05 on the CAO's working days, after onboarding's day (07:00)."""
    return [
        daily_deployment(
            hires, time(7, 5), "Verplaatsingen en annuleringen: agenda-items ingetrokken."
        )
    ]
