"""One claimed batch of due actions: claiming it (oldest first, row locks on PostgreSQL, waits
respected), performing each action with its handler or a run of them with their batch handler,
and recording each as done or skipped, audited (X-1, X-4)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from poflow import audit
from poflow.db.base import chunked, one_of, table_of, utcnow
from poflow.db.models import Action, Hire, Person, Step
from poflow.engine.context import SYSTEM_ACTOR, Context
from poflow.engine.process import Registry
from poflow.states import ActionState, check_transition

__all__ = ["claim", "load_hires", "perform_batch"]

log = logging.getLogger("poflow.engine")


def claim(
    session: Session,
    registry: Registry,
    slugs: list[str],
    day: date,
    limit: int,
    failed: list[int],
    kinds: frozenset[str] | None = None,
) -> list[Action]:
    """The next batch of due actions (of `kinds` only, when given: one process's pass), a
    municipality's oldest first, municipality after municipality, so a batch holds few
    municipalities (failed ones stay pending: not retried today)."""
    query = (
        select(Action)
        .options(lazyload(Action.step))
        .where(
            Action.state == ActionState.PENDING,
            Action.due_date <= day,
            one_of(session, Action.municipality, slugs),
        )
        .order_by(Action.municipality, Action.due_date, Action.id)
        .limit(limit)
    )
    if failed:
        query = query.where(Action.id.not_in(failed))
    if kinds is not None:
        query = query.where(Action.kind.in_(sorted(kinds)))
    for kind, before in registry.waits_for.items():
        if kinds is not None and kind not in kinds:
            continue
        # Read without locking, so rows another dispatcher holds count as pending.
        prior = aliased(Action)
        blocked = select(prior.municipality).where(
            prior.state == ActionState.PENDING,
            prior.due_date <= day,
            prior.kind.in_(sorted(before)),
            one_of(session, prior.municipality, slugs),
        )
        if failed:
            blocked = blocked.where(prior.id.not_in(failed))
        query = query.where(or_(Action.kind != kind, Action.municipality.not_in(blocked)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Action)
    batch = list(session.scalars(query))
    # Their steps come in a second query by id and are set on the actions as loaded. Joined to
    # the locked, sorted and limited claim, PostgreSQL hashed the whole step table for every
    # batch (85 ms instead of 9).
    steps: dict[int, Step] = {}
    for part in chunked([a.step_id for a in batch if a.step_id is not None]):
        steps.update(
            (step.id, step)
            for step in session.scalars(select(Step).where(one_of(session, Step.id, part)))
        )
    for action in batch:
        step = steps.get(action.step_id) if action.step_id is not None else None
        set_committed_value(action, "step", step)
    return batch


def perform_batch(
    session: Session,
    registry: Registry,
    context: Callable[[str], Context],
    batch: list[Action],
    *,
    careful: bool,
) -> dict[int, bool | None]:
    """Perform each action with its municipality's context: done (True), skipped (False) or
    failed (None) per action id. Without `careful` a failure raises.

    Without `careful`, consecutive actions whose kind has a batch handler go to it together,
    whatever their municipalities, and are recorded together.
    """
    outcome: dict[int, bool | None] = {}
    i = 0
    while i < len(batch):
        action = batch[i]
        bulk = None if careful else registry.batch_handlers.get(action.kind)
        if bulk is not None:
            j = i
            while j < len(batch) and registry.batch_handlers.get(batch[j].kind) is bulk:
                j += 1
            run, i = batch[i:j], j
            done = bulk(
                {slug: context(slug) for slug in dict.fromkeys(each.municipality for each in run)},
                run,
            )
            _record_many(session, run, done)
            outcome.update(done)
            continue
        i += 1
        ctx = context(action.municipality)
        if not careful:
            outcome[action.id] = _perform(ctx, action)
            continue
        try:
            with session.begin_nested():
                outcome[action.id] = _perform(ctx, action)
        except Exception as exc:  # noqa: BLE001  (one bad action must not stop the day)
            log.error("action %s (%s) failed: %s", action.id, action.kind, _describe(exc))
            outcome[action.id] = None
    return outcome


def _perform(ctx: Context, action: Action) -> bool:
    """Run the action's handler and record done or skipped."""
    fn = ctx.registry.handlers.get(action.kind)
    performed = fn(ctx, action) if fn else False
    _record(ctx, action, performed)
    return performed


def _record(ctx: Context, action: Action, performed: bool) -> None:
    """Mark the action done or skipped, audited (X-4: every state change)."""
    target = ActionState.DONE if performed else ActionState.SKIPPED
    check_transition(f"action {action.id}", action.state, target)
    action.state = target
    action.done_at = utcnow()
    ctx.audit(
        f"action.{target.value}",
        "action",
        str(action.id),
        kind=action.kind,
        case_type=action.case_type,
        case_id=action.case_id,
    )


def _record_many(session: Session, actions: list[Action], outcome: dict[int, bool]) -> None:
    """_record for a batch handler's actions, set-based: per outcome one UPDATE of the actions
    and one INSERT ... SELECT of their audit rows (the same rows `_record` writes, each with its
    action's municipality, X-4); on PostgreSQL both in one statement.

    The loaded Action objects are given the new state as committed values, so the session
    neither writes them again nor answers from the old state.
    """
    now = utcnow()
    targets: dict[ActionState, list[Action]] = {ActionState.DONE: [], ActionState.SKIPPED: []}
    for action in actions:
        target = ActionState.DONE if outcome[action.id] else ActionState.SKIPPED
        check_transition(f"action {action.id}", action.state, target)
        targets[target].append(action)
    table = table_of(Action)
    audited = (
        table.c.id.label("entity_id"),
        table.c.municipality,
        table.c.kind,
        table.c.case_type,
        table.c.case_id,
    )
    one_statement = session.get_bind().dialect.name == "postgresql"
    for target, done in targets.items():
        for part in chunked([a.id for a in done]):
            change = (
                update(table)
                .where(one_of(session, table.c.id, part))
                .values(state=target, done_at=now)
            )
            if one_statement:  # WITH changed AS (UPDATE ... RETURNING) INSERT INTO audit ...
                rows = select(change.returning(*audited).cte("changed"))
            else:
                session.execute(change)
                rows = select(*audited).where(one_of(session, table.c.id, part))
            audit.record_selected(
                session,
                rows,
                actor=SYSTEM_ACTOR,
                action=f"action.{target.value}",
                entity_type="action",
            )
        for action in done:
            set_committed_value(action, "state", target)
            set_committed_value(action, "done_at", now)


def load_hires(session: Session, batch: list[Action]) -> list[Hire]:
    """The hires (with manager and buddy) of a batch's hire cases, read in one query."""
    ids = {a.case_id for a in batch if a.case_type == "hire"}
    if not ids:
        return []
    # The manager's and buddy's roles are read only by the few handlers that check them.
    people = (
        joinedload(Hire.manager).lazyload(Person.roles),
        joinedload(Hire.buddy).lazyload(Person.roles),
    )
    return list(
        session.scalars(
            select(Hire).where(one_of(session, Hire.id, list(ids))).options(*people)
        ).unique()
    )


def _describe(exc: BaseException) -> str:
    """Where and what failed, without the exception's text when that may hold personal data.

    poflow's own exceptions carry ids only; a driver's or library's text can quote row values
    (names, addresses), so for those only the type and the raising line are given (X-3).
    """
    from poflow._exceptions import PoflowError

    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
    if isinstance(exc, PoflowError):
        return f"{type(exc).__name__}: {exc} (at {where})"
    return f"{type(exc).__name__} (at {where})"
