"""Moving and cancelling a hire (ONB-5), and sending calendar cancellations for its appointments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import IllegalTransition, NotFound, StartDateRefused
from poflow.config import MunicipalityConfig
from poflow.db.models import Action, Hire, Step
from poflow.engine import (
    cancel_pending_actions,
    cancel_queued_mail,
    invited_recipients,
    step_close,
)
from poflow.kernel.calendar import today as local_today
from poflow.kernel.dates import start_date_problem
from poflow.link_tokens import revoke_links
from poflow.states import HireState, StepState, check_transition

__all__ = ["CALENDAR_CANCEL", "MOVED", "MOVE_PREFIX", "cancel_hire", "get_hire", "move_hire"]

CALENDAR_CANCEL = "calendar.cancel"
MOVED = "hire.moved"  # the action that tells everyone already told of a move, that same day
CANCELLED = "hire.cancelled"  # the action that tells everyone already told of a cancellation
MOVE_PREFIX = "move:"  # the key of a move's step, "move:v<version>": the old and new dates


def get_hire(session: Session, hire_id: str) -> Hire:
    """The hire with this id, or NotFound."""
    hire = session.get(Hire, hire_id)
    if hire is None:
        raise NotFound(f"Hire {hire_id} does not exist")
    return hire


def move_hire(
    session: Session,
    config: MunicipalityConfig,
    hire_id: str,
    new_start: date,
    *,
    actor: str,
    today: date | None = None,
    allow_non_working_day: bool = False,
    allow_past: bool = False,
) -> Hire:
    """Give the hire a new start date: every pending action is superseded and re-planned, and
    everyone already told hears of it on `today` (ONB-5).

    The new date must be a working day and, when `today` is given, not before it, unless
    explicitly allowed (StartDateRefused otherwise; nothing changes).
    The next dispatcher run (on `today`) re-plans each process: appointments keep their
    calendar uid and get a raised SEQUENCE, so calendars update the existing event, and their
    updates go out that day. A step `move:v<version>` keeps the old and the new date for the
    notices; moved twice before anyone was told, the notice names the date they were told.
    """
    hire = get_hire(session, hire_id)
    if hire.state != HireState.PLANNED:
        raise IllegalTransition(
            f"Cannot move the start date of hire {hire_id}: it is {hire.state.value}."
        )
    problem = start_date_problem(
        new_start,
        config.calendar,
        today=today,
        allow_non_working_day=allow_non_working_day,
        allow_past=allow_past,
    )
    if problem:
        raise StartDateRefused(f"Cannot move hire {hire_id} (--start-date): {problem}.")
    day = today or local_today()
    old, told = hire.start_date, hire.first_working_day
    for untold in session.scalars(
        select(Step).where(
            Step.case_type == "hire",
            Step.case_id == hire.id,
            Step.key.startswith(MOVE_PREFIX),
            Step.state == StepState.OPEN,
        )
    ):
        told = date.fromisoformat(untold.data["told_first_working_day"])
        step_close(untold, StepState.CANCELLED, by=actor)
    hire.start_date = new_start
    hire.first_working_day = config.calendar.first_working_day(new_start)
    hire.version += 1
    cancelled = cancel_pending_actions(session, case_type="hire", case_id=hire.id)
    cancel_queued_mail(session, case_type="hire", case_id=hire.id)
    step = Step(
        municipality=hire.municipality,
        case_type="hire",
        case_id=hire.id,
        process="hire",
        key=f"{MOVE_PREFIX}v{hire.version}",
        title="Eerste werkdag verplaatst",
        due_date=day,
        owner_role=None,
        sequence=0,
        state=StepState.OPEN,
        data={
            "told_first_working_day": told.isoformat(),
            "first_working_day": hire.first_working_day.isoformat(),
        },
    )
    session.add(step)
    session.add(
        Action(
            municipality=hire.municipality,
            case_type="hire",
            case_id=hire.id,
            step=step,
            kind=MOVED,
            key=f"{MOVED}:{hire.id}:v{hire.version}",
            due_date=day,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="hire.moved",
        entity_type="hire",
        entity_id=hire.id,
        municipality=hire.municipality,
        old_start=old.isoformat(),
        new_start=new_start.isoformat(),
        version=hire.version,
        cancelled_actions=cancelled,
    )
    return hire


def cancel_hire(
    session: Session, hire_id: str, *, actor: str, today: date, reason: str | None = None
) -> Hire:
    """Cancel the hire: nothing more is sent, open steps close, sent invitations are withdrawn,
    and everyone already told hears it on `today` (ONB-5). P&O's `reason` goes into the audit
    row (not into any mail)."""
    hire = get_hire(session, hire_id)
    check_transition(f"hire {hire_id}", hire.state, HireState.CANCELLED)
    hire.state = HireState.CANCELLED
    cancelled = cancel_pending_actions(session, case_type="hire", case_id=hire.id)
    withdrawn = cancel_queued_mail(session, case_type="hire", case_id=hire.id)
    revoked = revoke_links(session, case_type="hire", case_id=hire.id)
    steps = session.scalars(
        select(Step).where(
            Step.case_type == "hire", Step.case_id == hire.id, Step.state == StepState.OPEN
        )
    ).all()
    for step in steps:
        step_close(step, StepState.CANCELLED, by=actor)
        if step.starts_at is not None and invited_recipients(session, step):
            step.sequence += 1
            session.add(
                Action(
                    municipality=hire.municipality,
                    case_type="hire",
                    case_id=hire.id,
                    step_id=step.id,
                    kind=CALENDAR_CANCEL,
                    key=f"{CALENDAR_CANCEL}:{step.id}",
                    due_date=today,
                )
            )
    session.add(
        Action(
            municipality=hire.municipality,
            case_type="hire",
            case_id=hire.id,
            kind=CANCELLED,
            key=f"{CANCELLED}:{hire.id}",
            due_date=today,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="hire.cancelled",
        entity_type="hire",
        entity_id=hire.id,
        municipality=hire.municipality,
        cancelled_actions=cancelled,
        withdrawn_mails=withdrawn,
        closed_steps=len(steps),
        revoked_links=revoked,
        **({"reason": reason.strip()} if reason and reason.strip() else {}),
    )
    return hire
