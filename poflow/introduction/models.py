"""Tables of the introduction programme: enrolments, group sessions, places, certificates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from poflow.db.base import Base, UTCDateTime, calendar_uid, utcnow
from poflow.introduction.rules import TargetGroup
from poflow.introduction.states import EnrolmentState, ParticipationStatus, SessionState

__all__ = ["Certificate", "Enrolment", "IntroSession", "SessionParticipant", "enrolment_of"]


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Enrolment(Base):
    """A hire taking part in the programme: which group, which variant, who enrolled them."""

    __tablename__ = "int_enrolment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    hire_id: Mapped[str] = mapped_column(ForeignKey("hire.id", ondelete="CASCADE"), unique=True)
    group: Mapped[TargetGroup] = mapped_column(_enum(TargetGroup))
    variant: Mapped[str] = mapped_column(String(24))
    mandatory: Mapped[bool] = mapped_column(default=False)
    enrolled_by: Mapped[str] = mapped_column(String(40))  # "system" or a person id
    state: Mapped[EnrolmentState] = mapped_column(
        _enum(EnrolmentState), default=EnrolmentState.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_int_enrolment_municipality_state", "municipality", "state"),)


class IntroSession(Base):
    """One group session of a series: a start meeting, an evaluation or a classroom module."""

    __tablename__ = "int_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(24))  # "start", "evaluatie" or a module key
    title: Mapped[str] = mapped_column(String(160))
    session_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    state: Mapped[SessionState] = mapped_column(_enum(SessionState), default=SessionState.PLANNED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The local part of its places' invitation UIDs: unique per installation.
    uid: Mapped[str] = mapped_column(String(64), default=calendar_uid("poflow-int"))

    participants: Mapped[list[SessionParticipant]] = relationship(
        back_populates="session", order_by="SessionParticipant.id", lazy="selectin"
    )

    __table_args__ = (UniqueConstraint("municipality", "series", "session_date"),)


class SessionParticipant(Base):
    """One hire's place in one session: invited, answered, attended or missed, or spilled."""

    __tablename__ = "int_participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("int_session.id", ondelete="CASCADE"))
    hire_id: Mapped[str] = mapped_column(ForeignKey("hire.id", ondelete="CASCADE"))
    status: Mapped[ParticipationStatus] = mapped_column(_enum(ParticipationStatus))
    reason: Mapped[str] = mapped_column(String(16))  # new, makeup, waitlist or spill
    invited_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(40), default="system")

    session: Mapped[IntroSession] = relationship(back_populates="participants", lazy="joined")

    __table_args__ = (
        UniqueConstraint("session_id", "hire_id"),
        Index("ix_int_participant_hire", "hire_id"),
    )


class Certificate(Base):
    """A certificate of participation (bewijs van deelname) for one programme item (INT-4)."""

    __tablename__ = "int_certificate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    hire_id: Mapped[str] = mapped_column(ForeignKey("hire.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(160))
    completed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # "aanwezig", "link", "csv" or "cli"
    number: Mapped[str] = mapped_column(String(48), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("hire_id", "item"),)


def enrolment_of(session: Session, hire_id: str) -> Enrolment | None:
    """The hire's enrolment, or None."""
    return session.scalar(select(Enrolment).where(Enrolment.hire_id == hire_id))
