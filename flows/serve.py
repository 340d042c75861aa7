"""`poflow serve`: every scheduled deployment of poflow, served from this process."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from prefect import serve
from prefect.schedules import Cron

from poflow.flows.dispatcher import dispatcher
from poflow.flows.onboarding_report import onboarding_report
from poflow.workdays import TIMEZONE

__all__ = ["all_deployments", "serve_deployments"]

log = logging.getLogger("poflow.serve")

# Process flows that bring their own scheduled deployments via a `deployments()` function.
PROCESS_FLOWS = ("poflow.flows.recruitment", "poflow.flows.introduction", "poflow.flows.coaching")


def dispatcher_deployment() -> Any:
    """The daily dispatcher: working days (Mon-Fri) at 07:00 Europe/Amsterdam.

    Holidays are skipped inside the run (it only sends what is queued), because a cron
    schedule does not know the CAO calendar.
    """
    return dispatcher.to_deployment(
        name="daily",
        schedule=Cron("0 7 * * 1-5", timezone=TIMEZONE),
        description="Plans new hires, performs what is due today, sends the mail.",
        tags=["poflow"],
    )


def onboarding_report_deployment() -> Any:
    """The onboarding report (ONB-4): working days at 07:30, after the dispatcher."""
    return onboarding_report.to_deployment(
        name="daily",
        schedule=Cron("30 7 * * 1-5", timezone=TIMEZONE),
        description="Publishes each municipality's onboarding table and chart, a bar per hire.",
        tags=["poflow"],
    )


def all_deployments() -> list[Any]:
    """The dispatcher and report deployments plus those of every process flow module."""
    found = [dispatcher_deployment(), onboarding_report_deployment()]
    for name in PROCESS_FLOWS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.extend(module.deployments())
    return found


def serve_deployments() -> None:
    """Run poflow's web app (the links in mails) and every deployment until interrupted."""
    from poflow.settings import get_settings
    from poflow.web.server import serve_web_in_thread

    web = serve_web_in_thread(get_settings())
    print(f"poflow web app (links in mails) on {web.url}")
    try:
        serve(*all_deployments())
    finally:
        web.stop()
