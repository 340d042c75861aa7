"""The coach's own records (LBC): one row per registration, the only place that holds a name."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from poflow.coaching.states import GoalState, TrajectoryState
from poflow.db.base import Base, UTCDateTime, utcnow

__all__ = ["CoachingRegistration"]


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class CoachingRegistration(Base):
    """A colleague's registration with the loopbaancoach and how the trajectory went (LBC-1/2).

    `employee_name`, the goal texts and `note` are confidential: they are shown to the coach
    only and never logged, mailed to anyone else, or sent to Prefect (LBC-3).
    """

    __tablename__ = "coaching_registration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(40))  # the coach's own number, e.g. 2020-017
    coach_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    employee_name: Mapped[str] = mapped_column(String(200))
    employee_id: Mapped[str | None] = mapped_column(String(40))
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    manager_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_on: Mapped[date] = mapped_column(Date)
    domain: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    state: Mapped[TrajectoryState] = mapped_column(
        _enum(TrajectoryState), default=TrajectoryState.ACTIVE
    )
    goal1: Mapped[GoalState | None] = mapped_column(_enum(GoalState))
    goal1_text: Mapped[str | None] = mapped_column(Text)
    goal2: Mapped[GoalState | None] = mapped_column(_enum(GoalState))
    goal2_text: Mapped[str | None] = mapped_column(Text)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("municipality", "ref"),
        Index("ix_coaching_registration_period", "municipality", "registered_on"),
        Index("ix_coaching_registration_coach", "coach_id"),
    )

    @property
    def case_id(self) -> str:
        """The id under which mails, links and audit rows refer to this registration."""
        return str(self.id)
