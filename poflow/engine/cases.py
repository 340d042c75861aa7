"""A session's picture of its cases: the steps and actions of a case, read once per session.

Planners and handlers ask for a case's steps and actions many times in one transaction; the
first question reads them in two queries and later ones are answered from memory. The picture
stays true only while the session's own changes are tracked, so `track_cases(factory)` installs
the listeners on one session factory (the runtime does it for its own). A session that is not
tracked is answered from the database every time: slower, never stale.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from poflow.db.models import Action, Step

__all__ = ["Case", "actions_added", "case_of", "note_actions_added", "track_cases"]

_CASES = "poflow.engine.cases"
_MAX_CASES = 64  # a planning session walks hire after hire: keep only the recent ones
_ADDED = "poflow.engine.actions_added"  # session.info: an action was added or revived
_TRACKED = "_poflow_tracks_cases"  # class attribute of a tracked factory's session class


@dataclass
class Case:
    """The steps and actions of one case, by key."""

    steps: dict[str, Step] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)


def _load(session: Session, case_type: str, case_id: str) -> Case:
    found = Case()
    for step in session.scalars(
        select(Step).where(Step.case_type == case_type, Step.case_id == case_id)
    ):
        found.steps[step.key] = step
    for action in session.scalars(
        select(Action).where(Action.case_type == case_type, Action.case_id == case_id)
    ):
        found.actions[action.key] = action
    return found


def case_of(session: Session, case_type: str, case_id: str) -> Case:
    """The case's steps and actions: from this session's memory when it is tracked.

    Rows added to a tracked session afterwards are kept in the picture by the listeners below;
    a rollback, a commit or a bulk delete forgets everything, so a lookup never answers from a
    stale picture.
    """
    if not getattr(type(session), _TRACKED, False):
        session.flush()
        return _load(session, case_type, case_id)
    cases: OrderedDict[tuple[str, str], Case] = session.info.setdefault(_CASES, OrderedDict())
    where = (case_type, case_id)
    found = cases.get(where)
    if found is not None:
        cases.move_to_end(where)
        return found
    found = cases[where] = _load(session, case_type, case_id)
    if len(cases) > _MAX_CASES:
        cases.popitem(last=False)
    return found


def note_actions_added(session: Session) -> None:
    """Tell the engine that actions were written past the ORM (a Core INSERT): the dispatcher
    then looks for due work once more after this batch, since they may be due today."""
    session.info[_ADDED] = True


def actions_added(session: Session) -> bool:
    """Whether this session added or revived an action since its transaction began."""
    return bool(session.info.get(_ADDED))


def _track_added(session: Session, obj: object) -> None:
    if isinstance(obj, Action):
        session.info[_ADDED] = True
    if isinstance(obj, Step | Action):
        known = session.info.get(_CASES, {}).get((obj.case_type, obj.case_id))
        if known is not None:
            (known.steps if isinstance(obj, Step) else known.actions)[obj.key] = obj


def _track_removed(session: Session, obj: object) -> None:
    if isinstance(obj, Step | Action):
        session.info.pop(_CASES, None)


def _forget_cases(session: Session, *_args: object) -> None:
    session.info.pop(_CASES, None)


def _forget_on_bulk_delete(state: Any) -> None:
    if state.is_delete:
        state.session.info.pop(_CASES, None)


def track_cases(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Install the listeners that keep the case picture true on the sessions of `factory`
    (and of factories made from its session class); once per factory."""
    cls = factory.class_
    if cls.__dict__.get(_TRACKED):
        return factory
    event.listen(cls, "transient_to_pending", _track_added)
    for name in ("persistent_to_deleted", "pending_to_transient", "persistent_to_transient"):
        event.listen(cls, name, _track_removed)
    event.listen(cls, "after_soft_rollback", _forget_cases)
    event.listen(cls, "after_commit", _forget_cases)
    event.listen(cls, "do_orm_execute", _forget_on_bulk_delete)
    setattr(cls, _TRACKED, True)
    return factory
