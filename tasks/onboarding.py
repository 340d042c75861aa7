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

from poflow.onboarding_status import (
    LEGEND,
    markdown_overview,
    municipality_counts,
    phase_counts,
    progress_percent,
    status_rows,
)
from poflow.runtime import get_runtime

__all__ = ["artifact_key", "publish_onboarding_progress"]


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key (lowercase letters, digits and dashes) from ids."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


@task(name="publish-onboarding-progress",
      task_run_name="onboarding-progress-{municipality}-{day}")
def publish_onboarding_progress(municipality: str, day: date) -> dict[str, int]:
    """Table and bar chart per municipality, a progress artifact per hire; returns counts."""
    rt = get_runtime()
    cfg = rt.config(municipality)
    with rt.factory() as session:
        rows = status_rows(session, cfg, day)
        totals = municipality_counts(session, cfg, day)
        progress = {row["hire"]: progress_percent(phase_counts(session, row["hire"], day))
                    for row in rows}
    create_table_artifact(
        key=artifact_key("onboarding", municipality), table=rows,
        description=f"Onboarding {municipality} op {day.isoformat()}: per nieuwe collega "
                    f"(id) de stand per fase; {LEGEND}.",
    )
    create_markdown_artifact(
        key=artifact_key("onboarding-voortgang", municipality),
        markdown=markdown_overview(cfg.name, day, totals, len(rows)),
        description=f"Voortgang per fase, {municipality}, {day.isoformat()}",
    )
    for hire_id, percent in progress.items():
        create_progress_artifact(
            progress=percent, key=artifact_key("onboarding", hire_id),
            description=f"Onboarding {hire_id}: {percent} % van de checklist afgerond",
        )
    overdue = sum(c.overdue for c in totals.values())
    return {"hires": len(rows), "overdue_items": overdue}
