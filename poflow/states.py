"""The engine's states (hires, steps, actions, mails) as enums, each with its StateTable."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from poflow.kernel.states import StateTable

__all__ = [
    "ACTION_STATES",
    "HIRE_STATES",
    "MAIL_STATES",
    "STEP_STATES",
    "ActionState",
    "HireState",
    "MailState",
    "StepState",
    "check_transition",
]


class HireState(StrEnum):
    """Where a new hire's case stands."""

    PLANNED = "planned"  # imported, before or on the first working day
    CANCELLED = "cancelled"  # the hire will not start; nothing more is sent (ONB-5)
    COMPLETED = "completed"  # every process for this hire has finished


class StepState(StrEnum):
    """A process step: a check-in, a checklist item, an approval, a session."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionState(StrEnum):
    """A dated thing the dispatcher must do once (send an invitation, a reminder, escalate)."""

    PENDING = "pending"
    DONE = "done"  # performed (its mails are in the outbox)
    SKIPPED = "skipped"  # no longer needed when due (e.g. the talk was already held)
    CANCELLED = "cancelled"  # superseded by a move or a cancellation (ONB-5)


class MailState(StrEnum):
    """An outbox row."""

    QUEUED = "queued"
    SENT = "sent"
    # Could not be composed or delivered after its attempts, or refused for good by the server
    # (e.g. unknown mailbox); P&O is told, `poflow mail retry` queues it again after a fix.
    PARKED = "parked"
    CANCELLED = "cancelled"


HIRE_STATES = StateTable(
    HireState,
    {
        HireState.PLANNED: {HireState.CANCELLED, HireState.COMPLETED},
        HireState.CANCELLED: set(),
        HireState.COMPLETED: set(),
    },
)
STEP_STATES = StateTable(
    StepState,
    {
        StepState.OPEN: {StepState.DONE, StepState.CANCELLED},
        StepState.DONE: set(),
        StepState.CANCELLED: set(),
    },
)
ACTION_STATES = StateTable(
    ActionState,
    {
        ActionState.PENDING: {ActionState.DONE, ActionState.SKIPPED, ActionState.CANCELLED},
        ActionState.DONE: set(),
        ActionState.SKIPPED: set(),
        ActionState.CANCELLED: set(),
    },
)
MAIL_STATES = StateTable(
    MailState,
    {
        MailState.QUEUED: {MailState.SENT, MailState.PARKED, MailState.CANCELLED},
        MailState.PARKED: {MailState.QUEUED},
        MailState.SENT: set(),
        MailState.CANCELLED: set(),
    },
)
_TABLES: dict[type[StrEnum], StateTable[Any]] = {
    table.states: table for table in (HIRE_STATES, STEP_STATES, ACTION_STATES, MAIL_STATES)
}


def check_transition(what: str, current: StrEnum, target: StrEnum) -> None:
    """Raise IllegalTransition unless `current` may move to `target`; `what` names the object
    (the engine's states only; a process checks its own with its StateTable)."""
    _TABLES[type(current)].check(what, current, target)
