"""Onboarding with buddy (ONB-1..5, BUD-1..2): the checklist, digests, welcome and buddy mails."""

from typing import Any

from poflow.engine import ProcessSpec
from poflow.onboarding import digest, moves
from poflow.onboarding.cli import onboarding_app, status_command
from poflow.onboarding.config import OnboardingSection
from poflow.onboarding.first_day import FIRST_DAY_LINK
from poflow.onboarding.handlers import HANDLERS
from poflow.onboarding.links import LINK_ACTIONS
from poflow.onboarding.models import OnboardingNotice
from poflow.onboarding.planner import plan_onboarding

__all__ = ["SPEC"]


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.onboarding import deployments

    return deployments()


def _daily_flow() -> Any:
    # Prefect is imported only when the daily parent flow asks for it.
    from poflow.flows.onboarding import onboarding

    return onboarding


SPEC = ProcessSpec(
    name="onboarding",
    rules="ONB-1..5, BUD-1..2",
    section=OnboardingSection,
    tables=(OnboardingNotice,),
    planner=plan_onboarding,
    handlers={**HANDLERS, **digest.HANDLERS, **moves.HANDLERS},
    batch_handlers=digest.BATCH_HANDLERS,
    waits_for=digest.WAITS_FOR,
    link_actions=(*LINK_ACTIONS, FIRST_DAY_LINK),
    cli=(("onboarding", onboarding_app), ("status", status_command)),
    deployments=_deployments,
    daily_flow=_daily_flow,
)
