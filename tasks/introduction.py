"""Tasks of the introduction programme's session flows: one side effect each, ids and counts
only."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact

from poflow.introduction.sessions import plan_day
from poflow.introduction.status import session_rows
from poflow.runtime import get_runtime

__all__ = ["plan_session_series", "publish_session_overview"]


@task(
    name="int-plan-session",
    task_run_name="int-plan-{series}-{municipality}-{day}",
    retries=2,
    retry_delay_seconds=30,
)
def plan_session_series(municipality: str, series: str, day: date) -> dict[str, Any]:
    """On a session-planning day: create the session, invite its cohort, spill the rest (INT-3)."""
    rt = get_runtime()
    plan = plan_day(
        rt.factory, rt.config(municipality), rt.settings, day, series, registry=rt.registry
    )
    return plan.counts()


@task(name="int-publish-overview", task_run_name="int-overview-{municipality}-{session_id}")
def publish_session_overview(municipality: str, session_id: int) -> str:
    """Publish the session's invited/attending list as a markdown artifact: hire ids only (X-3)."""
    rt = get_runtime()
    with rt.factory() as session:
        title, rows = session_rows(session, session_id)
    lines = [
        f"## {title} (sessie {session_id})",
        "",
        "| hire | status | reden |",
        "|---|---|---|",
        *[f"| {h} | {st} | {why} |" for h, st, why in rows],
    ]
    artifact = create_markdown_artifact(
        key=f"int-sessie-{municipality}-{session_id}",
        markdown="\n".join(lines),
        description="Uitgenodigden en aanwezigen: alleen hire-ids (X-3)",
    )
    return str(artifact)
