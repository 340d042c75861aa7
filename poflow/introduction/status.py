"""The "programma" column of the onboarding status table (ONB-4): the hire's INT status."""

from __future__ import annotations

from datetime import date
from importlib.util import find_spec

from sqlalchemy.orm import Session

from poflow.db.models import Hire
from poflow.introduction.portfolio import programme_status, programme_statuses

__all__ = ["COLUMN_TITLE", "programme_column", "programme_columns", "register"]

COLUMN_TITLE = "programma"


def programme_column(session: Session, hire: Hire, day: date) -> str:
    """The hire's introduction programme in one phrase, with its municipality's configuration."""
    from poflow.runtime import get_runtime

    configs = get_runtime().configs
    return programme_status(session, hire, day, configs.get(hire.municipality))


def programme_columns(session: Session, hires: list[Hire], day: date) -> dict[str, str]:
    """programme_column for a whole table at once (four queries per 500 hires)."""
    from poflow.runtime import get_runtime

    return programme_statuses(session, hires, day, get_runtime().configs)


def register() -> bool:
    """Add the column to the onboarding status table when that table's module is installed."""
    if find_spec("poflow.onboarding_status") is None:
        return False
    from poflow.onboarding_status import register_status_column  # type: ignore[import-not-found]

    register_status_column(COLUMN_TITLE, programme_column, many=programme_columns)
    return True


REGISTERED = register()
