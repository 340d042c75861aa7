"""The check-ins at 1, 3 and 8 months (CHK-1..3), declared for the engine, CLI and config."""

from typing import Any

from poflow.checkins.cli import checkin_app
from poflow.checkins.config import CheckinSection
from poflow.checkins.handlers import HANDLERS
from poflow.checkins.links import LINK_ACTIONS
from poflow.checkins.planner import plan_checkins
from poflow.checkins.rules import INVITE_HIRE
from poflow.checkins.status import NEXT_TALK_COLUMN
from poflow.engine import ProcessSpec

__all__ = ["SPEC"]


def _daily_flow() -> Any:
    # Prefect is imported only when the daily parent flow asks for it.
    from poflow.flows.checkins import checkins

    return checkins


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.checkins import deployments

    return deployments()


SPEC = ProcessSpec(
    name="checkins",
    rules="CHK-1..3",
    section=CheckinSection,
    planner=plan_checkins,
    handlers=HANDLERS,
    # The new employee's invitation follows onboarding's welcome at work of the same day (CHK-2;
    # the kind is named, not imported: processes are independent, the registry checks it).
    waits_for={INVITE_HIRE: frozenset({"onb.welcome_work"})},
    link_actions=LINK_ACTIONS,
    cli=(("checkin", checkin_app),),
    status_columns=(NEXT_TALK_COLUMN,),
    deployments=_deployments,
    daily_flow=_daily_flow,
)
