"""The career-coaching report flow: publish each municipality's yearly report as a markdown
artifact with a chart (LBC-2). Counts only: no name or note ever reaches Prefect (LBC-3, X-3).

Scheduled monthly (1st, 07:30 Europe/Amsterdam): during the year it shows progress towards the
year's target; the run of 1 January publishes the final report of the year just ended. Each run
also mails every coach that month's form links (new registration, open trajectories).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.schedules import Cron

from poflow.coaching.rules import report_year
from poflow.kernel.calendar import TIMEZONE
from poflow.runtime import get_runtime, today
from poflow.tasks.coaching import build_report, mail_coach_forms, publish_report
from poflow.tasks.mail import send_mail

__all__ = ["coaching_report", "deployments"]

SCHEDULE = "30 7 1 * *"  # 07:30 on the first of every month


def _run_name() -> str:
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
    year = year or report_year(day)
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


def deployments() -> list[Any]:
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
