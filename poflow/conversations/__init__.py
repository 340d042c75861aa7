"""The conversation cycle (GES-1..6): richtgesprek, beoordelingsgesprek, scores, periodic raise.

Importing the package registers its planner, handlers and link actions with the engine.
"""

from poflow.conversations import forms, handlers, planner  # noqa: F401  (registrations)
from poflow.conversations.cycle import start_cycle
from poflow.conversations.decisions import plan_extra_appraisal, record_legal_decision
from poflow.conversations.forms import record_appraisal

__all__ = ["plan_extra_appraisal", "record_appraisal", "record_legal_decision", "start_cycle"]
