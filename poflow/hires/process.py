"""Moving and cancelling a hire (ONB-5): the calendar cancellations and `poflow hire`."""

from poflow.engine import ProcessSpec
from poflow.hires.cli import hire_app
from poflow.hires.handlers import HANDLERS

__all__ = ["SPEC"]

SPEC = ProcessSpec(
    name="hires",
    rules="ONB-5",
    handlers=HANDLERS,
    cli=(("hire", hire_app),),
)
