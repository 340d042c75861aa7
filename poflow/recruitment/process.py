"""Recruitment rounds (REC-1..13), declared for the engine, CLI and config."""

from typing import Any

from poflow.engine import ProcessSpec
from poflow.recruitment import appointment, candidates, models, rounds
from poflow.recruitment.cli import recruitment_app
from poflow.recruitment.config import RecruitmentSection

__all__ = ["SPEC"]


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.recruitment import deployments

    return deployments()


SPEC = ProcessSpec(
    name="recruitment",
    rules="REC-1..13",
    section=RecruitmentSection,
    tables=(
        models.RecruitmentRound,
        models.RoundTransition,
        models.Candidate,
        models.RoundDocument,
        models.RoundTally,
    ),
    planner=appointment.plan_referral_bonus,
    handlers={**rounds.HANDLERS, **appointment.HANDLERS},
    link_actions=candidates.LINK_ACTIONS,
    cli=(("recruitment", recruitment_app),),
    deployments=_deployments,
)
