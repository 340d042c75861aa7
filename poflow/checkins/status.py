"""The check-ins' column of the onboarding status table (ONB-4): each hire's next open talk."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow.config import MunicipalityConfig
from poflow.db.base import chunked
from poflow.db.models import Hire, Step
from poflow.engine import StatusColumn
from poflow.kernel.vocabulary import CaseType
from poflow.states import StepState

__all__ = ["NEXT_TALK_COLUMN", "next_talks"]


def next_talks(
    session: Session, hires: list[Hire], day: date, configs: Mapping[str, MunicipalityConfig]
) -> dict[str, str]:
    """The date of each hire's next open check-in on or after `day`, or "–" (one query per
    500 hires)."""
    found: dict[str, date] = {}
    for part in chunked([hire.id for hire in hires]):
        found.update(
            session.execute(
                select(Step.case_id, func.min(Step.due_date))
                .where(
                    Step.case_type == CaseType.HIRE,
                    Step.case_id.in_(part),
                    Step.process == "chk",
                    Step.state == StepState.OPEN,
                    Step.due_date >= day,
                )
                .group_by(Step.case_id)
            ).all()
        )
    return {h.id: found[h.id].isoformat() if h.id in found else "–" for h in hires}


NEXT_TALK_COLUMN = StatusColumn("volgende bijpraatmoment", next_talks)
