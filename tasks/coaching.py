"""Tasks of the career-coaching report flow: one side effect each; counts and ids only, no name
or note ever reaches Prefect (LBC-3, X-3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from poflow.coaching.monthly_mail import mail_coach_links
from poflow.coaching.render import render_markdown
from poflow.coaching.status import report_for
from poflow.runtime import get_runtime

__all__ = ["artifact_key", "build_report", "mail_coach_forms", "publish_report"]


def artifact_key(municipality: str, year: int) -> str:
    """The artifact key of one municipality's report of one year (its versions stack up)."""
    return f"loopbaancoaching-{municipality}-{year}"


@task(
    name="coaching-build-report",
    task_run_name="coaching-report-{municipality}-{year}",
    cache_policy=NO_CACHE,
    persist_result=False,
)  # always count afresh, never store it
def build_report(municipality: str, year: int, as_of: date) -> dict[str, Any]:
    """Count the municipality's registrations; returns the markdown and totals (no names)."""
    rt = get_runtime()
    with rt.factory() as session:
        report = report_for(session, rt.config(municipality), year=year, as_of=as_of)
    return {
        "markdown": render_markdown(report),
        "registrations": report.total,
        "target_next_year": report.next_target.value if report.next_target else None,
    }


@task(name="coaching-publish-artifact", task_run_name="coaching-artifact-{municipality}-{year}")
def publish_report(municipality: str, year: int, markdown: str) -> str:
    """Publish the report as a Prefect markdown artifact; returns the artifact id."""
    artifact_id = create_markdown_artifact(
        key=artifact_key(municipality, year),
        markdown=markdown,
        description=f"Loopbaancoaching {municipality} {year}: alleen aantallen (LBC-3)",
    )
    return str(artifact_id)


@task(
    name="coaching-mail-forms",
    task_run_name="coaching-forms-{municipality}-{day}",
    cache_policy=NO_CACHE,
)
def mail_coach_forms(municipality: str, day: date) -> int:
    """Queue each coach's monthly form links (once per coach and month); returns the count."""
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        return mail_coach_links(rt.context(session, municipality, day))
