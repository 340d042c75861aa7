"""The one task that talks to the SMTP server: send what is queued, over one connection."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.tasks import exponential_backoff

from poflow.mail.sending import SmtpTarget, send_queued
from poflow.runtime import get_runtime
from poflow.settings import Settings

__all__ = ["send_mail", "smtp_target"]


def smtp_target(settings: Settings) -> SmtpTarget:
    """The SMTP server from the settings."""
    return SmtpTarget.from_settings(settings)


@task(
    name="send-mail",
    task_run_name="send-mail",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
    retry_jitter_factor=0.2,
)
def send_mail(municipality: str | None = None, dated: date | None = None) -> dict[str, int]:
    """Send every queued message; on a server failure retry with backoff; unsent rows stay
    queued. `dated`: in a simulated run, the simulated day (every mail's Date header)."""
    rt = get_runtime()
    report = send_queued(
        rt.factory, smtp_target(rt.settings), municipality=municipality, dated=dated
    )
    return {"sent": len(report.sent), "refused": len(report.refused)}
