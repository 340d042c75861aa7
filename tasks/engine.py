"""Tasks of the dispatcher: plan new cases, perform the day's actions. Ids and counts only."""

from __future__ import annotations

from datetime import date

from prefect import task

from poflow.engine import municipalities_with_work
from poflow.runtime import get_runtime

__all__ = ["find_municipalities_with_work", "perform_due_actions", "plan_new_cases"]


@task(name="find-municipalities-with-work", task_run_name="find-work-{day}")
def find_municipalities_with_work(
    day: date, municipality: str | None = None
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
    return rt.plan(municipality, day)


def _perform_run_name() -> str:
    from prefect.runtime import task_run

    params = task_run.parameters
    slugs = params["municipalities"]
    group = slugs[0] if len(slugs) == 1 else f"{slugs[0]}..{slugs[-1]}"
    return f"perform-{group}-{params['day']}"


@task(name="perform-due-actions", task_run_name=_perform_run_name)
def perform_due_actions(municipalities: list[str], day: date) -> dict[str, dict[str, int]]:
    """Perform each pending action of these municipalities due on or before `day` once;
    counts per municipality. Raise, naming municipality and action ids, if any failed."""
    rt = get_runtime()
    reports = rt.perform(municipalities, day)
    failed = {slug: r.failed_actions for slug, r in reports.items() if r.failed_actions}
    if failed:
        which = "; ".join(f"{slug}: action ids {ids[:20]}" for slug, ids in failed.items())
        raise RuntimeError(
            f"{sum(map(len, failed.values()))} action(s) failed and stay pending ({which}); "
            "the others were performed."
        )
    return {slug: {"performed": r.performed, "skipped": r.skipped} for slug, r in reports.items()}
