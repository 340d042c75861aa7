"""Process states as enums with their allowed transitions (pure; no I/O)."""

from __future__ import annotations

from enum import StrEnum

from poflow._exceptions import IllegalTransition

__all__ = [
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
    FAILED = "failed"  # refused for good by the server (e.g. unknown mailbox); P&O can requeue
    CANCELLED = "cancelled"


_ALLOWED: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    HireState: {
        HireState.PLANNED: frozenset({HireState.CANCELLED, HireState.COMPLETED}),
        HireState.CANCELLED: frozenset(),
        HireState.COMPLETED: frozenset(),
    },
    StepState: {
        StepState.OPEN: frozenset({StepState.DONE, StepState.CANCELLED}),
        StepState.DONE: frozenset(),
        StepState.CANCELLED: frozenset(),
    },
    ActionState: {
        ActionState.PENDING: frozenset(
            {ActionState.DONE, ActionState.SKIPPED, ActionState.CANCELLED}
        ),
        ActionState.DONE: frozenset(),
        ActionState.SKIPPED: frozenset(),
        ActionState.CANCELLED: frozenset(),
    },
    MailState: {
        MailState.QUEUED: frozenset({MailState.SENT, MailState.FAILED, MailState.CANCELLED}),
        MailState.FAILED: frozenset({MailState.QUEUED}),
        MailState.SENT: frozenset(),
        MailState.CANCELLED: frozenset(),
    },
}


def check_transition(what: str, current: StrEnum, target: StrEnum) -> None:
    """Raise IllegalTransition unless `current` may move to `target`; `what` names the object."""
    allowed = _ALLOWED[type(current)][current]
    if target not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final state)"
        raise IllegalTransition(
            f"Cannot move {what} from {current.value!r} to {target.value!r}; "
            f"allowed from {current.value!r}: {options}."
        )
