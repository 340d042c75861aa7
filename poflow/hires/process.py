"""Moving and cancelling a hire (ONB-5): the calendar cancellations and `poflow hire`."""

from typing import Any

from poflow.engine import ProcessSpec
from poflow.hires.cli import hire_app
from poflow.hires.handlers import HANDLERS

__all__ = ["SPEC"]


def _daily_flow() -> Any:
    # Prefect is imported only when the daily parent flow asks for it.
    from poflow.flows.hires import hires

    return hires


def _deployments() -> list[Any]:
    # Prefect is imported only when `poflow serve` asks for the deployments.
    from poflow.flows.hires import deployments

    return deployments()


SPEC = ProcessSpec(
    name="hires",
    rules="ONB-5",
    handlers=HANDLERS,
    cli=(("hire", hire_app),),
    deployments=_deployments,
    daily_flow=_daily_flow,
)
