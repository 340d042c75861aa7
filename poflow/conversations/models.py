"""Tables of the conversation cycle: one cycle per employee, the appraisals, legal decisions.

Scores, motivations and decision notes are personal data (X-3): stored here, never logged,
never in audit details or Prefect.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poflow.conversations.rules import LegalKind, Score, Scores
from poflow.conversations.states import CycleState, LegalState
from poflow.db.base import Base, UTCDateTime, utcnow

__all__ = ["Appraisal", "CycleBasis", "GesCycle", "LegalDecision"]


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class CycleBasis(StrEnum):
    """What the first richtgesprek was planned from (GES-1)."""

    INTRODUCTIE = "introductie"  # the startontwikkelgesprek closing the introduction programme
    PROEFTIJD = "proeftijd"  # the start date plus the probation period
    GEKOZEN = "gekozen"  # existing staff: a start date chosen by P&O


class GesCycle(Base):
    """One employee's conversation cycle: the case its talks and appraisals hang on.

    The case is the hire (case_type "hire") for new colleagues, so moving or cancelling the hire
    moves or cancels the talks too (ONB-5), or the person (case_type "person") for existing staff.
    """

    __tablename__ = "ges_cycle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(40))
    manager_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    basis: Mapped[CycleBasis] = mapped_column(_enum(CycleBasis))
    state: Mapped[CycleState] = mapped_column(_enum(CycleState), default=CycleState.ACTIVE)
    first_richtgesprek: Mapped[date] = mapped_column(Date)
    current_round: Mapped[int] = mapped_column(Integer, default=1)
    joined_on: Mapped[date] = mapped_column(Date)
    raise_anchor: Mapped[date] = mapped_column(Date)  # the periodic raise falls on its anniversary
    last_raise_on: Mapped[date | None] = mapped_column(Date)
    last_promotion_on: Mapped[date | None] = mapped_column(Date)
    at_scale_max: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("case_type", "case_id"),)


class LegalDecision(Base):
    """A decision with legal-status consequences and the extra appraisal it waits for (GES-5)."""

    __tablename__ = "ges_legal_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    manager_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    kind: Mapped[LegalKind] = mapped_column(_enum(LegalKind))
    state: Mapped[LegalState] = mapped_column(
        _enum(LegalState), default=LegalState.AWAITING_APPRAISAL
    )
    appraisal_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)  # personal data: stored, never logged


class Appraisal(Base):
    """One recorded appraisal form: three scores with motivation, the raise decision (GES-3/4)."""

    __tablename__ = "ges_appraisal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(40), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"), unique=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("ges_cycle.id", ondelete="CASCADE"))
    round: Mapped[int | None] = mapped_column(Integer)  # None for an extra appraisal
    legal_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("ges_legal_decision.id", ondelete="SET NULL")
    )
    talk_on: Mapped[date] = mapped_column(Date)
    prestatie: Mapped[Score] = mapped_column(_enum(Score))
    prestatie_motivatie: Mapped[str] = mapped_column(Text)
    potentieel: Mapped[Score] = mapped_column(_enum(Score))
    potentieel_motivatie: Mapped[str] = mapped_column(Text)
    kernwaarden: Mapped[Score] = mapped_column(_enum(Score))
    kernwaarden_motivatie: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # GES-4, regular rounds only: the decision on the raise of `raise_on`.
    raise_on: Mapped[date | None] = mapped_column(Date)
    raise_granted: Mapped[bool | None] = mapped_column(Boolean)
    raise_reasons: Mapped[str | None] = mapped_column(String(80))  # comma-separated RaiseReason

    @property
    def scores(self) -> Scores:
        """The three scores of the form (GES-3)."""
        return Scores(self.prestatie, self.potentieel, self.kernwaarden)
