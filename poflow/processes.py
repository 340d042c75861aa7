"""Imports every process module so that their planners and handlers are registered."""

from poflow import checkins, hires  # noqa: F401
from poflow import onboarding  # noqa: F401  (ONB/BUD; after checkins: it ticks their item)
from poflow import approvals  # noqa: F401  (the approval.decide link action)
from poflow.coaching import forms as coaching_forms  # noqa: F401  (LBC link forms)
from poflow import conversations  # noqa: F401  (GES: conversation cycle)
from poflow.introduction import process as introduction  # noqa: F401  (INT)
from poflow.recruitment import services as recruitment  # noqa: F401  (REC)
