"""The "programma" column of the onboarding status table (ONB-4): the hire's INT status."""

from __future__ import annotations

from datetime import date
from importlib.util import find_spec

from sqlalchemy.orm import Session

from poflow.db.models import Hire
from poflow.introduction.portfolio import programme_status

__all__ = ["COLUMN_TITLE", "programme_column", "register"]

COLUMN_TITLE = "programma"


def programme_column(session: Session, hire: Hire, day: date) -> str:
    """The hire's introduction programme in one phrase, with its municipality's configuration."""
    from poflow.runtime import get_runtime

    configs = get_runtime().configs
    return programme_status(session, hire, day, configs.get(hire.municipality))


def register() -> bool:
    """Add the column to the onboarding status table when that table's module is installed."""
    if find_spec("poflow.onboarding_status") is None:
        return False
    from poflow.onboarding_status import register_status_column  # type: ignore[import-not-found]

    register_status_column(COLUMN_TITLE, programme_column)
    return True


REGISTERED = register()
