"""The conversation cycle's day as a Prefect flow (GES-1..6).

As the policy has it: the richtgesprek after probation with its POP form asked for (and a
reminder) before the talk, the invitations and reminders of the talks, the appraisal form by
link, the talk recorded or escalated, and the decision, the forms to P&O and the personnel file.
Its artifact counts each step per municipality and lists the action ids (X-3).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from prefect import flow

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import Step, daily_deployment, process_run_name, run_process

__all__ = ["STEPS", "conversations", "deployments"]

STEPS: tuple[Step, ...] = (
    ("uitnodigingen", frozenset({"ges.intro", "ges.invite"})),
    ("pop-formulier", frozenset({"ges.pop_request", "ges.pop_remind"})),
    ("beoordelingsformulier", frozenset({"ges.form", "ges.form_remind"})),
    ("herinneringen", frozenset({"ges.remind"})),
    ("vastleggen en escalaties", frozenset({"ges.record", "ges.escalate"})),
    ("besluit en dossier", frozenset({"ges.decision", "ges.share", "ges.archive"})),
)


@flow(
    name="poflow-conversations",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def conversations(
    day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """The conversation cycle's day: invitations, forms, reminders, records, the file."""
    return run_process("conversations", STEPS, day, municipality, within_day=within_day)


def deployments() -> list[Any]:
    """The conversation cycle's day at 07:20 on the CAO's working days."""
    return [
        daily_deployment(
            conversations,
            time(7, 20),
            "Gesprekscyclus: uitnodigingen, POP- en beoordelingsformulier, herinneringen, "
            "vastleggen, besluit en dossier.",
        )
    ]
