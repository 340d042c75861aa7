"""The introduction programme (INT-1..6), declared for the engine, CLI, config and status."""

from typing import Any

from poflow.engine import ProcessSpec
from poflow.introduction import models
from poflow.introduction.cli import intro_app, portfolio_app
from poflow.introduction.config import IntroductionSection
from poflow.introduction.handlers import HANDLERS
from poflow.introduction.links import LINK_ACTIONS
from poflow.introduction.planner import plan_introduction
from poflow.introduction.status import PROGRAMME_COLUMN

__all__ = ["SPEC"]


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.introduction import deployments

    return deployments()


def _daily_flow() -> Any:
    # Prefect is imported only when the daily parent flow asks for it.
    from poflow.flows.introduction import introduction

    return introduction


SPEC = ProcessSpec(
    name="introduction",
    rules="INT-1..6",
    section=IntroductionSection,
    tables=(models.Enrolment, models.IntroSession, models.SessionParticipant, models.Certificate),
    planner=plan_introduction,
    handlers=HANDLERS,
    link_actions=LINK_ACTIONS,
    cli=(("intro", intro_app), ("portfolio", portfolio_app)),
    deployments=_deployments,
    status_columns=(PROGRAMME_COLUMN,),
    daily_flow=_daily_flow,
)
