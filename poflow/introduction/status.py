"""The "programma" column of the onboarding status table (ONB-4): the hire's INT status."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from poflow.config import MunicipalityConfig
from poflow.db.models import Hire
from poflow.engine import StatusColumn
from poflow.introduction.portfolio import programme_statuses

__all__ = ["COLUMN_TITLE", "PROGRAMME_COLUMN", "programme_cells"]

COLUMN_TITLE = "programma"


def programme_cells(
    session: Session, hires: list[Hire], day: date, configs: Mapping[str, MunicipalityConfig]
) -> dict[str, str]:
    """Each hire's introduction programme in one phrase (four queries per 500 hires)."""
    return programme_statuses(session, hires, day, dict(configs))


PROGRAMME_COLUMN = StatusColumn(COLUMN_TITLE, programme_cells)
