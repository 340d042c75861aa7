"""The conversation cycle (GES-1..6), declared for the engine, CLI and config."""

from poflow.conversations import models
from poflow.conversations.cli import appraisal_app, cycle_app
from poflow.conversations.config import ConversationSection
from poflow.conversations.handlers import HANDLERS
from poflow.conversations.links import LINK_ACTIONS
from poflow.conversations.planner import plan_hire_cycle
from poflow.engine import ProcessSpec

__all__ = ["SPEC"]

SPEC = ProcessSpec(
    name="conversations",
    rules="GES-1..6",
    section=ConversationSection,
    tables=(models.GesCycle, models.LegalDecision, models.Appraisal),
    planner=plan_hire_cycle,
    handlers=HANDLERS,
    link_actions=LINK_ACTIONS,
    cli=(("cycle", cycle_app), ("appraisal", appraisal_app)),
)
