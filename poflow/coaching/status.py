"""The read model of career coaching: what P&O sees of it, counts only (LBC-2/3).

The yearly report reads only the counted columns of the coach's records (name-free
`CoachingRecord`s); the coach's monthly mail reads the coach's open trajectories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.coaching.config import coaching_section
from poflow.coaching.models import CoachingRegistration
from poflow.coaching.report import CoachingRecord, CoachingReport, build_report
from poflow.coaching.states import TrajectoryState
from poflow.config import MunicipalityConfig

__all__ = ["load_records", "open_trajectories", "report_for"]


def load_records(session: Session, municipality: str) -> list[CoachingRecord]:
    """Every registration of the municipality, name-free: only the counted columns are read."""
    rows = session.execute(
        select(
            CoachingRegistration.registered_on,
            CoachingRegistration.domain,
            CoachingRegistration.reason,
            CoachingRegistration.source,
            CoachingRegistration.state,
            CoachingRegistration.goal1,
            CoachingRegistration.goal2,
            CoachingRegistration.end_reason,
        )
        .where(CoachingRegistration.municipality == municipality)
        .order_by(CoachingRegistration.registered_on, CoachingRegistration.id)
    ).all()
    return [CoachingRecord(*row) for row in rows]


def report_for(
    session: Session, config: MunicipalityConfig, *, year: int, as_of: date
) -> CoachingReport:
    """The yearly report of one municipality, counts only (LBC-2/3)."""
    return build_report(
        load_records(session, config.slug),
        section=coaching_section(config),
        municipality=config.name,
        year=year,
        as_of=as_of,
    )


def open_trajectories(
    session: Session, municipality: str, coach_id: str
) -> Sequence[CoachingRegistration]:
    """The coach's trajectories that are not completed (in traject or stopped), oldest first."""
    return session.scalars(
        select(CoachingRegistration)
        .where(
            CoachingRegistration.municipality == municipality,
            CoachingRegistration.coach_id == coach_id,
            CoachingRegistration.state != TrajectoryState.COMPLETED,
        )
        .order_by(CoachingRegistration.registered_on, CoachingRegistration.id)
    ).all()
