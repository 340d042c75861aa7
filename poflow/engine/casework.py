"""Helpers for process code about a hire's case: is it still running, cancel what is
pending, who got an invitation, close a step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poflow.db.base import rowcount, utcnow
from poflow.db.models import Action, Hire, Outbox, Step
from poflow.engine.context import Context
from poflow.mail.ics import Invitation, read_invitation
from poflow.mail.outbox import Recipient
from poflow.states import ActionState, HireState, MailState, StepState, check_transition

__all__ = [
    "cancel_pending_actions",
    "cancel_queued_mail",
    "days",
    "invited_addresses",
    "invited_recipients",
    "last_invitation",
    "live_hire",
    "live_hire_step",
    "step_close",
]


def live_hire(ctx: Context, action: Action) -> Hire | None:
    """The action's hire while it still runs, or None: nothing is sent for a cancelled hire
    (ONB-5), nor about a step that is already done or cancelled."""
    hire = ctx.session.get(Hire, action.case_id)
    if hire is None or hire.state == HireState.CANCELLED:
        return None
    step = action.step
    return hire if step is None or step.state == StepState.OPEN else None


def live_hire_step(ctx: Context, action: Action) -> tuple[Hire, Step] | None:
    """The action's hire and open step, or None when either has ended (see live_hire)."""
    hire = live_hire(ctx, action)
    return None if hire is None or action.step is None else (hire, action.step)


def cancel_pending_actions(session: Session, *, case_type: str, case_id: str) -> int:
    """Cancel every pending action of a case (a move or a cancellation supersedes them)."""
    result = session.execute(
        update(Action)
        .where(
            Action.case_type == case_type,
            Action.case_id == case_id,
            Action.state == ActionState.PENDING,
        )
        .values(state=ActionState.CANCELLED, done_at=utcnow())
    )
    return rowcount(result)


def cancel_queued_mail(session: Session, *, case_type: str, case_id: str) -> int:
    """Withdraw the case's messages that have not gone out yet."""
    result = session.execute(
        update(Outbox)
        .where(
            Outbox.case_type == case_type,
            Outbox.case_id == case_id,
            Outbox.state == MailState.QUEUED,
        )
        .values(state=MailState.CANCELLED)
    )
    return rowcount(result)


def invited_recipients(session: Session, step: Step) -> list[Recipient]:
    """Everyone a sent invitation of `step` reached, by id, address and the name it used."""
    rows = session.execute(
        select(Outbox.recipient_id, Outbox.recipient_name, Outbox.recipient_email)
        .join(Action, Outbox.action_id == Action.id)
        .where(
            Action.step_id == step.id,
            Outbox.ics_method == "REQUEST",
            Outbox.state == MailState.SENT,
        )
        .distinct()
        .order_by(Outbox.recipient_email)
    ).all()
    return [Recipient(r[0], r[1], r[2]) for r in rows]


def invited_addresses(session: Session, step: Step) -> set[str]:
    """The addresses (lower case) a sent invitation of `step` reached: an invitation to any
    other address is new to that person, not "Gewijzigd", and a reached one after a move gets
    its update at once (ONB-5)."""
    return {r.email.lower() for r in invited_recipients(session, step)}


def last_invitation(session: Session, step: Step) -> Invitation | None:
    """The last invitation of `step` that went out, as the calendars hold it, or None.

    A cancellation mirrors it (names, place, summary, time), so it withdraws exactly the event
    people have; one query, only when something is cancelled.
    """
    ics = session.scalar(
        select(Outbox.ics)
        .join(Action, Outbox.action_id == Action.id)
        .where(
            Action.step_id == step.id,
            Outbox.ics_method == "REQUEST",
            Outbox.state == MailState.SENT,
        )
        .order_by(Outbox.sent_at.desc(), Outbox.id.desc())
        .limit(1)
    )
    return read_invitation(ics) if ics else None


def step_close(step: Step, target: StepState, *, by: str, note: str | None = None) -> None:
    """Move a step to done or cancelled, checked against the allowed transitions."""
    check_transition(f"step {step.key} of {step.case_type} {step.case_id}", step.state, target)
    step.state = target
    step.done_at = utcnow()
    step.done_by = by
    if note is not None:
        step.note = note


def days(n: int) -> timedelta:
    """Shorthand for a timedelta of `n` days."""
    return timedelta(days=n)
