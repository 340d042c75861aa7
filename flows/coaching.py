"""The career-coaching report flow: publish each municipality's yearly report as a markdown
artifact with a chart (LBC-2). Counts only: no name or note ever reaches Prefect (LBC-3, X-3).

Scheduled monthly (1st, 07:30 Europe/Amsterdam): during the year it shows progress towards the
year's target; the run of 1 January publishes the final report of the year just ended. Each run
also mails every coach that month's form links (new registration, open trajectories).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.schedules import Cron

from poflow.coaching.monthly_mail import mail_coach_links
from poflow.coaching.render import render_markdown
from poflow.coaching.status import report_for
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime, today
from poflow.tasks.mail import send_mail

__all__ = ["artifact_key", "coaching_report", "deployments"]

SCHEDULE = "30 7 1 * *"  # 07:30 on the first of every month


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


def _run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return f"coaching-report-{params.get('year') or 'auto'}-{params.get('municipality') or 'all'}"


@flow(name="poflow-coaching-report", flow_run_name=lambda: _run_name(), log_prints=False)
def coaching_report(
    year: int | None = None,
    municipality: str | None = None,
    as_of: date | None = None,
    mail_coaches: bool = True,
) -> dict[str, Any]:
    """Publish the coaching report of `year` (default: the year of yesterday) per municipality,
    and mail each coach this month's form links."""
    day = as_of or today()
    year = year or (day - timedelta(days=1)).year
    rt = get_runtime()
    summary: dict[str, Any] = {"year": year, "as_of": day.isoformat(), "municipalities": {}}
    for slug in rt.slugs(municipality):
        built = build_report(slug, year, day)
        artifact = publish_report(slug, year, built["markdown"])
        summary["municipalities"][slug] = {
            "registrations": built["registrations"],
            "target_next_year": built["target_next_year"],
            "artifact": artifact,
            "coach_mails": mail_coach_forms(slug, day) if mail_coaches else 0,
        }
    if mail_coaches:
        summary["mail"] = send_mail(municipality)
    get_run_logger().info(
        "coaching report %s: %s",
        year,
        {s: v["registrations"] for s, v in summary["municipalities"].items()},
    )
    return summary


def deployments() -> list:
    """The coaching report's deployment: monthly progress, the yearly report on 1 January."""
    return [
        coaching_report.to_deployment(
            name="coaching-report-monthly",
            schedules=[Cron(SCHEDULE, timezone=TIMEZONE)],
            description="Loopbaancoaching: tussenstand elke maand, jaarverslag op 1 januari "
            "(alleen aantallen).",
            tags=["poflow"],
        )
    ]
