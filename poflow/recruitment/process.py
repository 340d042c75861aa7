"""Recruitment rounds (REC-1..13), declared for the engine, CLI and config."""

from typing import Any

from poflow.engine import ProcessSpec
from poflow.recruitment.cli import recruitment_app
from poflow.recruitment.config import RecruitmentSection
from poflow.recruitment.handlers import HANDLERS
from poflow.recruitment.links import LINK_ACTIONS
from poflow.recruitment.models import (
    Candidate,
    RecruitmentRound,
    RoundDocument,
    RoundSelection,
    RoundTally,
    RoundTransition,
    StaffStanding,
)
from poflow.recruitment.planner import plan_referral_bonus

__all__ = ["SPEC"]


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.recruitment import deployments

    return deployments()


def _daily_flow() -> Any:
    # Prefect is imported only when the daily parent flow asks for it.
    from poflow.flows.recruitment import recruitment

    return recruitment


SPEC = ProcessSpec(
    name="recruitment",
    rules="REC-1..13",
    section=RecruitmentSection,
    tables=(
        RecruitmentRound,
        RoundTransition,
        Candidate,
        RoundDocument,
        RoundTally,
        RoundSelection,
        StaffStanding,
    ),
    planner=plan_referral_bonus,
    handlers=HANDLERS,
    link_actions=LINK_ACTIONS,
    cli=(("recruitment", recruitment_app),),
    deployments=_deployments,
    daily_flow=_daily_flow,
)
