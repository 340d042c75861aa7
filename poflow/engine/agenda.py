"""The agenda: which municipalities have work on a day, planning new hires, and performing
every due action once, in batches (claim, perform, record).

The dispatcher for day D plans what needs planning, then performs every pending action due on
or before D, oldest first. Both passes are safe to repeat: actions and mails have unique keys.
Which planner and handler does what comes from the Registry the caller passes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poflow.config import MunicipalityConfig
from poflow.db.base import chunked
from poflow.db.models import Action, Hire
from poflow.db.session import one_connection
from poflow.engine.batch import claim, load_hires, perform_batch
from poflow.engine.cases import actions_added, track_cases
from poflow.engine.context import Context
from poflow.engine.process import Registry
from poflow.mail.outbox import SAVEPOINTS
from poflow.settings import Settings
from poflow.states import ActionState, HireState

__all__ = [
    "MUNICIPALITIES_PER_PASS",
    "DayReport",
    "DayWork",
    "municipalities_with_work",
    "perform_due",
    "perform_due_in",
    "perform_groups",
    "plan_hire",
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
    done_actions: list[int] = field(default_factory=list)  # performed or skipped, in order
    by_kind: dict[str, int] = field(default_factory=dict)  # performed or skipped, per kind


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


def municipalities_with_work(
    session: Session, day: date, slugs: Iterable[str], kinds: frozenset[str] | None = None
) -> DayWork:
    """The municipalities among `slugs` with a hire to plan or an action (of `kinds`, when
    given: one process's) due on or before `day`.

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
    if kinds is not None:
        due = due.where(Action.kind.in_(sorted(kinds)))
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
            plan_hire(Context(session, config, settings, day, registry), hire)
            planned.append(hire.id)
    return planned


def plan_hire(ctx: Context, hire: Hire) -> None:
    """Run every planner, in the registry's order, for one hire in `ctx`'s session, and mark
    its current version planned (also the dry run of a move: poflow.hires.preview)."""
    for fn in ctx.registry.planners.values():
        fn(ctx, hire)
    hire.planned_version = hire.version
    ctx.audit("hire.planned", "hire", hire.id, version=hire.version)


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
    kinds: frozenset[str] | None = None,
) -> dict[str, DayReport]:
    """Perform every pending action (of `kinds`, when given: one process's daily pass) of these
    municipalities due on or before `day`, once each; a report per municipality.

    Actions are claimed in batches, oldest first, across the municipalities (PostgreSQL: FOR
    UPDATE SKIP LOCKED, so two dispatchers split the work): a day with a few actions in each
    of many municipalities takes a few batches, not a few per municipality. Within a batch each
    action's handler gets its own municipality's Context. A batch first runs in one transaction
    without savepoints; when anything in it fails, that transaction is rolled back and the batch
    is claimed again and performed with a savepoint per action: a failing handler then leaves
    its action pending for the next run and the others go on. Savepoints cost a flush per action
    and per mail, a third of a quiet batch.
    """
    work = _Pass({config.slug: config for config in configs}, settings, day, registry, kinds)
    with one_connection(track_cases(factory)) as on_one:
        return _perform_batches(on_one, work, batch_size)


@dataclass(frozen=True)
class _Pass:
    """What one perform pass works with."""

    configs: dict[str, MunicipalityConfig]
    settings: Settings
    day: date
    registry: Registry
    kinds: frozenset[str] | None


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
                batch = claim(session, registry, list(configs), day, batch_size, failed, work.kinds)
                if not batch:
                    return reports
                hires = load_hires(session, batch)  # held: handlers find them without a query
                session.info[SAVEPOINTS] = careful
                slugs = {action.id: action.municipality for action in batch}
                kinds = {action.id: action.kind for action in batch}
                contexts: dict[str, Context] = {}

                def context(
                    slug: str, session: Session = session, contexts: dict[str, Context] = contexts
                ) -> Context:
                    ctx = contexts.get(slug)
                    if ctx is None:
                        ctx = Context(session, configs[slug], work.settings, day, registry)
                        contexts[slug] = ctx
                    return ctx

                outcome = perform_batch(session, registry, context, batch, careful=careful)
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
                continue
            if done:
                report.performed += 1
            else:
                report.skipped += 1
            report.done_actions.append(action_id)
            report.by_kind[kinds[action_id]] = report.by_kind.get(kinds[action_id], 0) + 1
        if last:
            return reports
