"""A municipality with 2,000 running hires for the workspace bench, made in seconds.

Planning a hire with every registered planner takes 0.1-0.2 s, so 2,000 would take minutes. The
hires start on eight dates two weeks apart around today (some already started, some still to
come); per start date and contract one hire is planned by every planner as on its import day
(bench.world, as the peak-day bench plans its cohort), and the others of its group get copies of
its steps and actions (their own keys, calendar UIDs and ids) and a `hire.planned` audit row:
the tables the workspace reads hold what planning 2,000 hires would write.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from bench import population, world
from poflow import audit
from poflow.db.models import Action, Hire, Step

__all__ = ["seed_running_hires", "start_dates"]

START_DATES = 8


def start_dates(today: date) -> list[date]:
    """Eight Mondays two weeks apart, four before this week's and four from it."""
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(weeks=2 * k) for k in range(-4, START_DATES - 4)]


def _groups(pop: population.Population, today: date) -> dict[str, list[str]]:
    """Give the hires the start dates and plain contracts; the first of each group (start
    date, contract) is its template, mapped to the others."""
    days = start_dates(today)
    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for n, hire in enumerate(pop.hires):
        hire["start_date"] = days[n % len(days)]
        if hire["contract_months"] is not None:
            hire["contract_months"] = 12
        groups[(hire["start_date"], hire["contract_type"])].append(str(hire["id"]))
    return {ids[0]: ids[1:] for ids in groups.values()}


def _key(key: str, template: str, other: str) -> str:
    """An action key of the copy: the hire's id in place of the template's, or appended where
    the key names a step instead."""
    return key.replace(template, other) if template in key else f"{key}|{other}"


def _copy(session: Any, template: str, others: list[str]) -> None:
    """The template hire's steps and actions, once for each of `others`."""
    step_cols = [c.name for c in Step.__table__.columns if c.name != "id"]
    action_cols = [c.name for c in Action.__table__.columns if c.name != "id"]
    steps = session.execute(select(Step.__table__).where(Step.case_id == template)).mappings()
    steps = list(steps)
    step_key = {s["id"]: s["key"] for s in steps}
    rows = [
        {
            **{c: s[c] for c in step_cols},
            "case_id": other,
            "uid": f"poflow-step-{uuid.uuid4()}",
        }
        for other in others
        for s in steps
    ]
    if rows:
        session.execute(insert(Step), rows)
    new_ids = {
        (case, key): sid
        for sid, case, key in session.execute(
            select(Step.id, Step.case_id, Step.key).where(Step.case_id.in_(others))
        )
    }
    actions = list(
        session.execute(select(Action.__table__).where(Action.case_id == template)).mappings()
    )
    rows = [
        {
            **{c: a[c] for c in action_cols},
            "case_id": other,
            "key": _key(a["key"], template, other),
            "step_id": new_ids[(other, step_key[a["step_id"]])] if a["step_id"] else None,
        }
        for other in others
        for a in actions
    ]
    if rows:
        session.execute(insert(Action), rows)


def seed_running_hires(rt: Any, pop: population.Population, today: date) -> str:
    """Load `pop` (one municipality) with its hires running around `today`; the id of a hire
    planned by every planner (for its page)."""
    templates = _groups(pop, today)
    world.load(rt, pop)
    world.plan_hires_as_imported(rt, list(templates))
    slug = pop.municipalities[0].slug
    with rt.factory() as session, session.begin():
        for template, others in templates.items():
            _copy(session, template, others)
        copied = [h for others in templates.values() for h in others]
        session.execute(
            update(Hire).where(Hire.id.in_(copied)).values(planned_version=Hire.version)
        )
        audit.record_many(
            session,
            actor="system",
            entries=[(slug, "hire.planned", "hire", h, {"version": 1}) for h in copied],
        )
    return next(iter(templates))
