"""Load the synthetic population into a poflow database and bring it to the eve of a given day.

Staff and hires are bulk-inserted (the importer is measured separately on 10,000 hires). Every hire
is then planned by the registered planners as on its own import day, six weeks before its start,
and every action due before the measured day is marked done: the year has run up to that day.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, insert, select, update

from bench.population import Population
from poflow.db.models import Action, Hire, Person, PersonRole
from poflow.runtime import Runtime
from poflow.states import ActionState

__all__ = [
    "IMPORT_LEAD_DAYS",
    "bars_published",
    "by_kind",
    "close_before",
    "counts",
    "due_per_day",
    "history",
    "load",
    "plan_hires_as_imported",
]

IMPORT_LEAD_DAYS = 42
CHUNK = 5_000


def _chunks(rows: list[dict[str, object]]) -> list[list[dict[str, object]]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def load(rt: Runtime, pop: Population) -> None:
    """Insert every person, role and hire (the hires still unplanned)."""
    calendars = {slug: cfg.calendar for slug, cfg in rt.configs.items()}
    hires = [
        {**h, "first_working_day": calendars[h["municipality"]].first_working_day(h["start_date"])}
        for h in pop.hires
    ]
    for table, rows in ((Person, pop.people), (PersonRole, pop.roles), (Hire, hires)):
        for chunk in _chunks(rows):
            with rt.factory() as session, session.begin():
                session.execute(insert(table), chunk)


def plan_hires_as_imported(rt: Runtime, hire_ids: list[str]) -> float:
    """Run every registered planner for these hires as on their import day; return the seconds."""
    began = time.perf_counter()
    wanted = set(hire_ids)
    with rt.factory() as session:
        by_town = defaultdict(list)
        for hid, slug in session.execute(select(Hire.id, Hire.municipality)):
            if hid in wanted:
                by_town[slug].append(hid)
    for slug, ids in sorted(by_town.items()):
        cfg = rt.config(slug)
        with rt.factory() as session, session.begin():
            for hire in session.scalars(select(Hire).where(Hire.id.in_(ids)).order_by(Hire.id)):
                ctx = rt.context(session, cfg, hire.start_date - timedelta(days=IMPORT_LEAD_DAYS))
                for fn in rt.registry.planners.values():
                    fn(ctx, hire)
                hire.planned_version = hire.version
                ctx.audit("hire.planned", "hire", hire.id, version=hire.version)
    return time.perf_counter() - began


def history(rt: Runtime, *, per_hire: int, before: date) -> int:
    """Every hire not planned above gets `per_hire` done actions of the past and counts as planned.

    This stands in for the year already run (the action table at its realistic size) without
    running the planners 40,000 times; the idle tick then sees the full table.
    """
    with rt.factory() as session, session.begin():
        rows = session.execute(
            select(Hire.id, Hire.municipality).where(Hire.planned_version < Hire.version)
        ).all()
        session.execute(
            update(Hire)
            .where(Hire.planned_version < Hire.version)
            .values(planned_version=Hire.version)
        )
    kinds = ("chk.invite", "chk.remind", "chk.record", "chk.escalate")
    batch: list[dict[str, object]] = []
    written = 0
    for hid, slug in rows:
        for n in range(per_hire):
            batch.append(
                {
                    "municipality": slug,
                    "case_type": "hire",
                    "case_id": hid,
                    "kind": kinds[n % 4],
                    "key": f"bench-history:{hid}:{n}",
                    "due_date": before - timedelta(days=1 + n * 3),
                    "state": ActionState.DONE,
                }
            )
        if len(batch) >= CHUNK * 4:
            written += _insert(rt, Action, batch)
            batch = []
    return written + _insert(rt, Action, batch)


def _insert(rt: Runtime, table: type, rows: list[dict[str, object]]) -> int:
    if rows:
        with rt.factory() as session, session.begin():
            session.execute(insert(table), rows)
    return len(rows)


def bars_published(rt: Runtime, day: date) -> int:
    """Record every hire's onboarding progress bar as published, as earlier runs would have.

    Nobody ticks an item off in the benchmark, so the bars do not change from day to day; the
    tables and charts (with the day in them) are left to the measured run.
    """
    from poflow.onboarding.status import overview
    from poflow.published import changed, remember
    from poflow.tasks.onboarding import progress_bars

    written = 0
    for slug in rt.slugs(None):
        with rt.factory() as session, session.begin():
            todo = changed(
                session,
                progress_bars(
                    overview(
                        session,
                        rt.config(slug),
                        day,
                        columns=rt.registry.status_columns,
                        configs=rt.configs,
                    )
                ),
            )
            remember(session, todo)
            written += len(todo)
    return written


def due_per_day(rt: Runtime) -> dict[date, int]:
    """How many pending actions fall due on each day."""
    with rt.factory() as session:
        rows = session.execute(
            select(Action.due_date, func.count())
            .where(Action.state == ActionState.PENDING)
            .group_by(Action.due_date)
        ).all()
    return dict(rows)


def close_before(rt: Runtime, day: date) -> int:
    """Mark every action due before `day` done, as if the dispatcher had run every earlier day."""
    with rt.factory() as session, session.begin():
        result = session.execute(
            update(Action)
            .where(Action.state == ActionState.PENDING, Action.due_date < day)
            .values(state=ActionState.DONE)
        )
        return result.rowcount or 0


def counts(rt: Runtime) -> dict[str, int]:
    """Rows per engine table (for the report)."""
    with rt.factory() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in (Person, Hire, Action)
        }


def by_kind(rt: Runtime, day: date) -> dict[str, int]:
    """Pending actions due on `day`, per kind."""
    with rt.factory() as session:
        rows = session.execute(
            select(Action.kind, func.count())
            .where(Action.state == ActionState.PENDING, Action.due_date == day)
            .group_by(Action.kind)
        ).all()
    return dict(defaultdict(int, dict(rows)))
