"""Task of the dispatcher: publish onboarding progress as Prefect artifacts (ONB-4; ids only)."""

from __future__ import annotations

import re
from datetime import date

from prefect import task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
)

from poflow.onboarding.status import LEGEND, Overview, markdown_overview, overview
from poflow.published import changed, remember
from poflow.runtime import get_runtime

__all__ = ["artifact_key", "progress_bars", "publish_onboarding_progress"]


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key (lowercase letters, digits and dashes) from ids."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


@task(name="publish-onboarding-progress", task_run_name="onboarding-progress-{day}")
def publish_onboarding_progress(municipalities: list[str], day: date) -> dict[str, dict[str, int]]:
    """Table and bar chart per municipality, a progress artifact per hire; counts per slug.

    Only what changed since it was last published goes to Prefect (poflow.published): at national
    scale a progress artifact for every running hire on every run would be tens of thousands of
    API calls a day. One task for all municipalities: a task run each would cost 342 of them.
    """
    return {slug: _publish(slug, day) for slug in municipalities}


def progress_bars(view: Overview) -> dict[str, float]:
    """The per-hire progress artifacts of an overview, by artifact key."""
    return {artifact_key("onboarding", hid): pct for hid, pct in view.progress.items()}


def _publish(municipality: str, day: date) -> dict[str, int]:
    rt = get_runtime()
    cfg = rt.config(municipality)
    with rt.factory() as session:
        view = overview(session, cfg, day, columns=rt.registry.status_columns, configs=rt.configs)
        table_key = artifact_key("onboarding", municipality)
        chart_key = artifact_key("onboarding-voortgang", municipality)
        chart = markdown_overview(cfg.name, day, view.totals, len(view.rows))
        content: dict[str, object] = {table_key: view.rows, chart_key: chart, **progress_bars(view)}
        todo = changed(session, content)
    if table_key in todo:
        create_table_artifact(
            key=table_key,
            table=view.rows,
            description=f"Onboarding {municipality} op {day.isoformat()}: per nieuwe collega "
            f"(id) de stand per fase; {LEGEND}.",
        )
    if chart_key in todo:
        create_markdown_artifact(
            key=chart_key,
            markdown=chart,
            description=f"Voortgang per fase, {municipality}, {day.isoformat()}",
        )
    for hire_id, percent in view.progress.items():
        key = artifact_key("onboarding", hire_id)
        if key in todo:
            create_progress_artifact(
                progress=percent,
                key=key,
                description=f"Onboarding {hire_id}: {percent} % van de checklist afgerond",
            )
    with rt.factory() as session, session.begin():
        remember(session, todo)
    overdue = sum(c.overdue for c in view.totals.values())
    return {"hires": len(view.rows), "overdue_items": overdue, "published": len(todo)}
