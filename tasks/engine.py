"""Tasks of the dispatcher: plan new cases, perform the day's actions. Ids and counts only."""

from __future__ import annotations

from datetime import date

from prefect import task

from poflow.engine import municipalities_with_work, perform_due, plan_hires
from poflow.runtime import get_runtime

__all__ = ["find_municipalities_with_work", "perform_due_actions", "plan_new_cases"]


@task(name="find-municipalities-with-work", task_run_name="find-work-{day}")
def find_municipalities_with_work(day: date, municipality: str | None = None
                                  ) -> dict[str, list[str]]:
    """The slugs (of one or every municipality) to plan ("plan") and to perform ("perform")."""
    rt = get_runtime()
    with rt.factory() as session:
        work = municipalities_with_work(session, day, rt.slugs(municipality))
    return {"plan": work.to_plan, "perform": work.to_perform}


@task(name="plan-new-cases", task_run_name="plan-{municipality}-{day}")
def plan_new_cases(municipality: str, day: date) -> list[str]:
    """Plan every process for hires that are new or moved; returns their hire ids."""
    rt = get_runtime()
    return plan_hires(rt.factory, rt.config(municipality), rt.settings, day)


@task(name="perform-due-actions", task_run_name="perform-{municipality}-{day}")
def perform_due_actions(municipality: str, day: date) -> dict[str, int]:
    """Perform each pending action due on or before `day` once; raise if any failed."""
    rt = get_runtime()
    report = perform_due(rt.factory, rt.config(municipality), rt.settings, day)
    if report.failed_actions:
        raise RuntimeError(
            f"{len(report.failed_actions)} action(s) of {municipality} failed and stay pending "
            f"(action ids {report.failed_actions[:20]}); the others were performed."
        )
    return {"performed": report.performed, "skipped": report.skipped}
