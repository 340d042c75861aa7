"""Measure the naive peer on a sample inside a temporary Prefect API and extrapolate."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

__all__ = ["measure_naive"]

DUE_SAMPLE = 60
IDLE_SAMPLE = 120


def measure_naive(
    url: str, tmp: Path, port: int, peak: date, pop: Any, log: list[str]
) -> dict[str, Any]:
    """Seconds a task for an employee with work and without; the whole day extrapolated."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from bench.run import _use
    from poflow.db.models import Action
    from poflow.states import ActionState

    rt = _use(url, tmp, port)
    with rt.factory() as session:
        due_q = (
            select(Action.case_id, Action.municipality)
            .distinct()
            .where(
                Action.case_type == "hire",
                Action.state == ActionState.PENDING,
                Action.due_date <= peak,
            )
        )
        n_due = session.scalar(select(func.count()).select_from(due_q.subquery())) or 0
        due = [
            (r[0], r[1]) for r in session.execute(due_q.order_by(Action.case_id).limit(DUE_SAMPLE))
        ]
    idle = [(str(p["id"]), str(p["municipality"])) for p in pop.people[5 : 5 + IDLE_SAMPLE]]
    population = len(pop.people) + len(pop.hires)
    from bench.naive import naive_day

    with (
        prefect_test_harness(server_startup_timeout=180),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        naive_day(idle[:5], peak)  # warm-up: imports, the first flow run
        due_s = naive_day(due, peak)
        idle_s = naive_day(idle, peak)
    per_due, per_idle = due_s / max(len(due), 1), idle_s / max(len(idle), 1)
    total = n_due * per_due + (population - n_due) * per_idle
    log.append(
        f"naive: {len(due)} employees with work {per_due * 1000:.0f} ms a task, "
        f"{len(idle)} without {per_idle * 1000:.0f} ms a task; extrapolated to "
        f"{n_due} with work + {population - n_due} without = {total:.0f} s"
    )
    return {
        "per_task_due_s": per_due,
        "per_task_idle_s": per_idle,
        "employees_due": n_due,
        "employees": population,
        "extrapolated_s": total,
    }
