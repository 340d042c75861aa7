"""The conversation cycle (GES-1..6), declared for the engine, CLI and config."""

from typing import Any

from poflow.conversations import models
from poflow.conversations.cli import appraisal_app, cycle_app
from poflow.conversations.config import ConversationSection
from poflow.conversations.handlers import HANDLERS
from poflow.conversations.links import LINK_ACTIONS
from poflow.conversations.planner import plan_hire_cycle
from poflow.engine import ProcessSpec

__all__ = ["SPEC"]


def _daily_flow() -> Any:
    # Prefect is imported only when the daily parent flow asks for it.
    from poflow.flows.conversations import conversations

    return conversations


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.conversations import deployments

    return deployments()


SPEC = ProcessSpec(
    name="conversations",
    rules="GES-1..6",
    section=ConversationSection,
    tables=(models.GesCycle, models.LegalDecision, models.Appraisal),
    planner=plan_hire_cycle,
    handlers=HANDLERS,
    link_actions=LINK_ACTIONS,
    cli=(("cycle", cycle_app), ("appraisal", appraisal_app)),
    deployments=_deployments,
    daily_flow=_daily_flow,
)
