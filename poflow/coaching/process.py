"""Career coaching (LBC-1..3), declared for the engine, CLI and config."""

from typing import Any

from poflow.coaching.cli import coach_app
from poflow.coaching.config import CoachingSection
from poflow.coaching.links import LINK_ACTIONS
from poflow.coaching.models import CoachingRegistration
from poflow.engine import ProcessSpec

__all__ = ["SPEC"]


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.coaching import deployments

    return deployments()


SPEC = ProcessSpec(
    name="coaching",
    rules="LBC-1..3",
    section=CoachingSection,
    tables=(CoachingRegistration,),
    link_actions=LINK_ACTIONS,
    cli=(("coach", coach_app),),
    deployments=_deployments,
)
