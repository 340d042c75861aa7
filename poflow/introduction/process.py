"""Registers the introduction programme's planner, handlers, link actions and status column."""

from __future__ import annotations

from poflow.introduction import attendance, linkactions, mails, programme, sessions  # noqa: F401
from poflow.introduction import status  # noqa: F401  (the "programma" column)

__all__: list[str] = []
