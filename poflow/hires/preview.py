"""What a move or a cancellation of a hire would change (ONB-5), found by doing it and rolling
it back: the preview P&O sees before confirming is computed by the same code that does it.

`dry_run` runs the change (`move_hire` or `cancel_hire`), then what the same day's dispatcher
would do for this hire (its planners, then its due actions: the notices to everyone already
told, updated or cancelled invitations), in the caller's session; it reads the steps, planned
mails and queued mails before and after, and rolls everything back. Nothing is sent: mails are
only queued in the outbox, and that is rolled back too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from poflow.config import MunicipalityConfig
from poflow.db.models import Action, Hire, Outbox, Person, Step
from poflow.engine import Context, Registry, plan_hire
from poflow.engine.batch import perform_batch
from poflow.hires.services import get_hire
from poflow.settings import Settings
from poflow.states import ActionState, HireState, StepState

__all__ = ["Mail", "PlannedMail", "Preview", "StepChange", "dry_run"]

_MAX_PASSES = 20  # a day's actions that add actions due the same day: a few passes at most


@dataclass(frozen=True)
class StepChange:
    """A step of the hire that moves, is withdrawn or is new: its dates before and after."""

    title: str
    owner: str
    old: date | None  # None: new
    new: date | None  # None: withdrawn
    old_start: datetime | None
    new_start: datetime | None

    @property
    def invitation(self) -> bool:
        """Whether the step is an appointment (calendar invitation)."""
        return self.old_start is not None or self.new_start is not None


@dataclass(frozen=True)
class PlannedMail:
    """A mail planned for a later day (the welcome, the buddy informed): when before and after."""

    kind: str
    old: date | None
    new: date | None


@dataclass(frozen=True)
class Mail:
    """A mail the change sends the same day."""

    name: str
    email: str
    subject: str
    calendar: str | None  # "REQUEST" (an updated invitation), "CANCEL", or None


@dataclass(frozen=True)
class Preview:
    """Everything that changes, in the order P&O reads it."""

    hire_id: str
    steps: list[StepChange] = field(default_factory=list)
    planned: list[PlannedMail] = field(default_factory=list)
    mails: list[Mail] = field(default_factory=list)

    @property
    def told(self) -> list[tuple[str, str]]:
        """Everyone who gets a mail today, once each: (name, address)."""
        seen = {m.email.lower(): (m.name, m.email) for m in self.mails}
        return sorted(seen.values(), key=lambda who: who[1].lower())


_Snapshot = dict[int, tuple[str, str | None, str | None, date, datetime | None, StepState]]


def _steps(session: Session, hire_id: str) -> _Snapshot:
    rows = session.execute(
        select(
            Step.id,
            Step.title,
            Step.owner_id,
            Step.owner_role,
            Step.due_date,
            Step.starts_at,
            Step.state,
        ).where(Step.case_type == "hire", Step.case_id == hire_id)
    )
    return {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def _planned(session: Session, hire_id: str) -> dict[str, date]:
    """The hire's pending actions without a step (a step's actions follow its date), by kind."""
    rows = session.execute(
        select(Action.kind, func.min(Action.due_date))
        .where(
            Action.case_type == "hire",
            Action.case_id == hire_id,
            Action.step_id.is_(None),
            Action.state == ActionState.PENDING,
        )
        .group_by(Action.kind)
    )
    return {str(kind): due for kind, due in rows}


def dry_run(
    session: Session,
    registry: Registry,
    config: MunicipalityConfig,
    settings: Settings,
    hire_id: str,
    change: Callable[[Session], object],
    *,
    day: date,
) -> Preview:
    """What `change(session)` (a move or cancellation of hire `hire_id`) and that day's work
    for the hire would do; everything is rolled back. The change's own refusals
    (StartDateRefused, IllegalTransition) pass to the caller, with nothing changed."""
    try:
        hire = get_hire(session, hire_id)
        before, planned_before = _steps(session, hire_id), _planned(session, hire_id)
        last_action = session.scalar(select(func.max(Action.id))) or 0
        last_mail = session.scalar(select(func.max(Outbox.id))) or 0
        change(session)
        session.flush()
        ctx = Context(session, config, settings, day, registry, actor="preview")
        if hire.state == HireState.PLANNED and hire.planned_version < hire.version:
            plan_hire(ctx, hire)
        _perform_today(ctx, hire_id, last_action)
        session.flush()
        after, planned_after = _steps(session, hire_id), _planned(session, hire_id)
        mails = session.scalars(
            select(Outbox).where(Outbox.id > last_mail).order_by(Outbox.id)
        ).all()
        return Preview(
            hire_id=hire_id,
            steps=_changes(session, hire, before, after),
            planned=[
                PlannedMail(kind, planned_before.get(kind), planned_after.get(kind))
                for kind in sorted(set(planned_before) | set(planned_after))
                if planned_before.get(kind) != planned_after.get(kind)
            ],
            mails=[
                Mail(m.recipient_name, m.recipient_email, m.subject, m.ics_method) for m in mails
            ],
        )
    finally:
        session.rollback()


def _perform_today(ctx: Context, hire_id: str, last_action: int) -> None:
    """Perform the hire's actions due on the day, and those the change added, as the day's
    dispatcher would (kinds that wait for others after those)."""
    session, done = ctx.session, set[int]()
    for _ in range(_MAX_PASSES):
        due = [
            a
            for a in session.scalars(
                select(Action)
                .where(
                    Action.state == ActionState.PENDING,
                    Action.due_date <= ctx.day,
                    Action.municipality == ctx.municipality,
                    or_(Action.case_id == hire_id, Action.id > last_action),
                )
                .order_by(Action.id)
            )
            if a.id not in done
        ]
        if not due:
            return
        kinds = {a.kind for a in due}
        ready = [a for a in due if not ctx.registry.waits_for.get(a.kind, frozenset()) & kinds]
        batch = ready or due
        perform_batch(session, ctx.registry, lambda _slug: ctx, batch, careful=False)
        done.update(a.id for a in batch)
        session.flush()


def _changes(session: Session, hire: Hire, before: _Snapshot, after: _Snapshot) -> list[StepChange]:
    """The open steps whose dates change, the ones withdrawn and the new ones, by new date."""
    owners = {o for row in (*before.values(), *after.values()) if (o := row[1]) is not None}
    people = session.scalars(select(Person).where(Person.id.in_(owners)))
    names = {p.id: p.full_name for p in people}
    names[hire.id] = hire.full_name

    def owner(row: tuple[str, str | None, str | None, date, datetime | None, StepState]) -> str:
        return names.get(row[1] or "", "") or (row[2] or "")

    out = []
    for sid in sorted(set(before) | set(after)):
        old, new = before.get(sid), after.get(sid)
        was_open = old is not None and old[5] == StepState.OPEN
        is_open = new is not None and new[5] == StepState.OPEN
        if not was_open and not is_open:
            continue
        if was_open and is_open and old is not None and new is not None and old[3:5] == new[3:5]:
            continue
        row = new if new is not None else old
        if row is None:  # never: sid came from one of the two
            continue
        out.append(
            StepChange(
                title=row[0],
                owner=owner(row),
                old=old[3] if was_open and old is not None else None,
                new=new[3] if is_open and new is not None else None,
                old_start=old[4] if was_open and old is not None else None,
                new_start=new[4] if is_open and new is not None else None,
            )
        )
    return sorted(out, key=lambda c: (c.new or c.old or date.max, c.title))
