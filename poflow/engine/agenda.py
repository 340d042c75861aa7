"""The agenda: which municipalities have work on a day, planning new hires, and performing
every due action once, in batches (claim, perform, record).

The dispatcher for day D plans what needs planning, then performs every pending action due on
or before D, oldest first. Both passes are safe to repeat: actions and mails have unique keys.
Which planner and handler does what comes from the Registry the caller passes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload, lazyload, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from poflow import audit
from poflow.config import MunicipalityConfig
from poflow.db.base import chunked, one_of, table_of, utcnow
from poflow.db.models import Action, Hire, Person, Step
from poflow.db.session import one_connection
from poflow.engine.cases import actions_added, track_cases
from poflow.engine.context import SYSTEM_ACTOR, Context
from poflow.engine.process import Registry
from poflow.mail.outbox import SAVEPOINTS
from poflow.settings import Settings
from poflow.states import ActionState, HireState, check_transition

__all__ = [
    "MUNICIPALITIES_PER_PASS",
    "DayReport",
    "DayWork",
    "municipalities_with_work",
    "perform_due",
    "perform_due_in",
    "perform_groups",
    "plan_hires",
]

log = logging.getLogger("poflow.engine")


@dataclass
class DayReport:
    """What one pass did, in counts and ids only (safe for Prefect, X-3)."""

    planned_hires: list[str] = field(default_factory=list)
    performed: int = 0
    skipped: int = 0
    failed_actions: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DayWork:
    """Which municipalities have hires to plan, and which have work to perform, on a day."""

    to_plan: list[str]
    to_perform: list[str]  # actions due, or hires to plan (planning can make actions due)


MUNICIPALITIES_PER_PASS = 32  # a perform pass (and dispatcher task) serves up to this many


def perform_groups(slugs: Sequence[str], size: int = MUNICIPALITIES_PER_PASS) -> list[list[str]]:
    """`slugs` in groups of at most `size`, in order: one perform pass (one task) each.

    One pass claims its batches across its municipalities, so a country of municipalities with
    a few due actions each takes a few batches per group rather than per municipality, while
    a failure still names few municipalities and a retry repeats one group's pass.
    """
    return [list(group) for group in chunked(list(slugs), size)]


def municipalities_with_work(session: Session, day: date, slugs: Iterable[str]) -> DayWork:
    """The municipalities among `slugs` with a hire to plan or an action due on or before `day`.

    Two indexed queries for the whole country, so a dispatcher run starts tasks (and
    transactions) only where there is work: on a quiet day that is none of the 342 instead of
    three tasks each; on a busy day no planning pass where nobody needs planning.
    """
    to_plan = (
        select(Hire.municipality)
        .distinct()
        .where(Hire.planned_version < Hire.version, Hire.state == HireState.PLANNED)
    )
    due = (
        select(Action.municipality)
        .distinct()
        .where(Action.state == ActionState.PENDING, Action.due_date <= day)
    )
    planning = set(session.scalars(to_plan))
    performing = planning | set(session.scalars(due))
    slugs = list(slugs)
    return DayWork(
        to_plan=[slug for slug in slugs if slug in planning],
        to_perform=[slug for slug in slugs if slug in performing],
    )


def plan_hires(
    factory: sessionmaker[Session],
    config: MunicipalityConfig,
    settings: Settings,
    day: date,
    *,
    registry: Registry,
) -> list[str]:
    """Run every planner, in the registry's order, for each hire whose current version is not
    planned yet."""
    planned: list[str] = []
    with track_cases(factory)() as session, session.begin():
        query = (
            select(Hire)
            .where(
                Hire.municipality == config.slug,
                Hire.planned_version < Hire.version,
                Hire.state == HireState.PLANNED,
            )
            .order_by(Hire.id)
        )
        if session.get_bind().dialect.name == "postgresql":
            # A second dispatcher waits here, then finds the hires planned (X-1; SQLite's
            # BEGIN IMMEDIATE already serialises the two).
            query = query.with_for_update(of=Hire)
        hires = session.scalars(query).all()
        for hire in hires:
            ctx = Context(session, config, settings, day, registry)
            for fn in registry.planners.values():
                fn(ctx, hire)
            hire.planned_version = hire.version
            ctx.audit("hire.planned", "hire", hire.id, version=hire.version)
            planned.append(hire.id)
    return planned


def perform_due(
    factory: sessionmaker[Session],
    config: MunicipalityConfig,
    settings: Settings,
    day: date,
    *,
    registry: Registry,
    batch_size: int = 500,
) -> DayReport:
    """Perform every pending action of one municipality due on or before `day`, once each."""
    reports = perform_due_in(
        factory, [config], settings, day, registry=registry, batch_size=batch_size
    )
    return reports[config.slug]


def perform_due_in(
    factory: sessionmaker[Session],
    configs: Sequence[MunicipalityConfig],
    settings: Settings,
    day: date,
    *,
    registry: Registry,
    batch_size: int = 500,
) -> dict[str, DayReport]:
    """Perform every pending action of these municipalities due on or before `day`, once each;
    a report per municipality.

    Actions are claimed in batches, oldest first, across the municipalities (PostgreSQL: FOR
    UPDATE SKIP LOCKED, so two dispatchers split the work): a day with a few actions in each
    of many municipalities takes a few batches, not a few per municipality. Within a batch each
    action's handler gets its own municipality's Context. A batch first runs in one transaction
    without savepoints; when anything in it fails, that transaction is rolled back and the batch
    is claimed again and performed with a savepoint per action: a failing handler then leaves
    its action pending for the next run and the others go on. Savepoints cost a flush per action
    and per mail, a third of a quiet batch.
    """
    work = _Pass({config.slug: config for config in configs}, settings, day, registry)
    with one_connection(track_cases(factory)) as on_one:
        return _perform_batches(on_one, work, batch_size)


@dataclass(frozen=True)
class _Pass:
    """What one perform pass works with."""

    configs: dict[str, MunicipalityConfig]
    settings: Settings
    day: date
    registry: Registry


def _perform_batches(
    factory: sessionmaker[Session], work: _Pass, batch_size: int
) -> dict[str, DayReport]:
    """perform_due_in's loop: claim, perform and commit batches until none is left."""
    configs, day, registry = work.configs, work.day, work.registry
    reports = {slug: DayReport() for slug in configs}
    failed: list[int] = []
    careful = False
    while True:
        try:
            with factory() as session, session.begin():
                batch = _claim(session, registry, list(configs), day, batch_size, failed)
                if not batch:
                    return reports
                hires = _load_hires(session, batch)  # held: handlers find them without a query
                session.info[SAVEPOINTS] = careful
                slugs = {action.id: action.municipality for action in batch}
                contexts: dict[str, Context] = {}

                def context(
                    slug: str, session: Session = session, contexts: dict[str, Context] = contexts
                ) -> Context:
                    ctx = contexts.get(slug)
                    if ctx is None:
                        ctx = Context(session, configs[slug], work.settings, day, registry)
                        contexts[slug] = ctx
                    return ctx

                outcome = _perform_batch(session, registry, context, batch, careful=careful)
                del hires
                # A short batch that added no action was the last: no claim that finds nothing.
                # Unless it held actions others wait for: those may have been held back.
                last = (
                    len(batch) < batch_size
                    and not actions_added(session)
                    and not any(action.kind in registry.awaited for action in batch)
                )
        except Exception:
            if careful:
                raise
            careful = True  # redo this batch action by action, each in its savepoint
            continue
        careful = False
        for action_id, done in outcome.items():
            report = reports[slugs[action_id]]
            if done is None:
                report.failed_actions.append(action_id)
                failed.append(action_id)
            elif done:
                report.performed += 1
            else:
                report.skipped += 1
        if last:
            return reports


def _claim(
    session: Session,
    registry: Registry,
    slugs: list[str],
    day: date,
    limit: int,
    failed: list[int],
) -> list[Action]:
    """The next batch of due actions, a municipality's oldest first, municipality after
    municipality, so a batch holds few municipalities (failed ones stay pending: not retried
    today)."""
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
    for kind, before in registry.waits_for.items():
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


def _perform_batch(
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


def _load_hires(session: Session, batch: list[Action]) -> list[Hire]:
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
