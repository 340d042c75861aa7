"""Imports every process module so that their planners and handlers are registered."""

from poflow import checkins, hires  # noqa: F401
