"""Tables of recruitment rounds: the round, its transitions, candidates, documents, tallies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from poflow.db.base import Base, UTCDateTime, utcnow
from poflow.recruitment.states import CandidateState, RoundState, SelectionState

__all__ = [
    "Candidate",
    "RecruitmentRound",
    "RoundDocument",
    "RoundSelection",
    "RoundTally",
    "RoundTransition",
    "StaffStanding",
]

ID = 40


def _enum(cls: type) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


def _person_fk(nullable: bool = False) -> Any:
    return mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), nullable=nullable)


class RecruitmentRound(Base):
    """One wervingsbehoefte and everything decided on it (REC-1..10)."""

    __tablename__ = "rec_round"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    team: Mapped[str] = mapped_column(String(120))
    function: Mapped[str] = mapped_column(String(160))
    fte: Mapped[float] = mapped_column(Float)
    formation_change: Mapped[bool] = mapped_column(Boolean)
    internal_window_days: Mapped[int] = mapped_column(Integer)
    po_id: Mapped[str] = _person_fk()
    mt_lid_id: Mapped[str] = _person_fk()
    leidinggevende_id: Mapped[str] = _person_fk()
    colleague_id: Mapped[str | None] = _person_fk(True)
    recruiter_id: Mapped[str | None] = _person_fk(True)
    gemeentesecretaris_id: Mapped[str | None] = _person_fk(True)
    or_id: Mapped[str | None] = _person_fk(True)
    state: Mapped[RoundState] = mapped_column(_enum(RoundState))
    vacancy_version: Mapped[int] = mapped_column(Integer, default=0)
    vacancy_text: Mapped[str | None] = mapped_column(Text)
    internal_from: Mapped[date | None] = mapped_column(Date)
    external_from: Mapped[date | None] = mapped_column(Date)
    offer_candidate_id: Mapped[str | None] = mapped_column(String(ID))
    terms_version: Mapped[int] = mapped_column(Integer, default=0)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hire_id: Mapped[str | None] = mapped_column(String(ID))
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    close_note: Mapped[str | None] = mapped_column(Text)  # may be personal: never logged
    flow_run_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundTransition(Base):
    """Append-only history of a round's state (the current state is on the round)."""

    __tablename__ = "rec_round_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(
        ForeignKey("rec_round.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(ID))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Candidate(Base):
    """One applicant (or koffiemoment prospect) of a round; personal columns go at retention."""

    __tablename__ = "rec_candidate"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    round_id: Mapped[str] = mapped_column(
        ForeignKey("rec_round.id", ondelete="CASCADE"), index=True
    )
    municipality: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    tier: Mapped[int] = mapped_column(Integer)
    state: Mapped[CandidateState] = mapped_column(_enum(CandidateState))
    consent_partners: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_retention: Mapped[bool] = mapped_column(Boolean, default=False)
    referred_by_id: Mapped[str | None] = mapped_column(String(ID))
    reason: Mapped[str | None] = mapped_column(String(40))
    applied_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    hire_id: Mapped[str | None] = mapped_column(String(ID), index=True)  # REC-12 planner
    # REC-4: the staff register's person a tier 1-3 candidate is; why a higher tier was passed
    # over at selection (personal data: goes with the candidate at retention).
    employee_id: Mapped[str | None] = mapped_column(String(ID))
    passed_over_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("round_id", "seq"),)

    @property
    def full_name(self) -> str:
        """Given name and family name."""
        return f"{self.given_name} {self.family_name}"


class RoundSelection(Base):
    """The MT-lid's selection for an interview round, proposed until the named P&O adviser
    confirms it (REC-5); ids only (the passed-over reasons stay with the candidates, REC-4)."""

    __tablename__ = "rec_selection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(
        ForeignKey("rec_round.id", ondelete="CASCADE"), index=True
    )
    municipality: Mapped[str] = mapped_column(String(64))
    round_no: Mapped[int] = mapped_column(Integer)
    chosen: Mapped[list[str]] = mapped_column(JSON)  # candidate ids selected
    passed_over: Mapped[list[str]] = mapped_column(JSON)  # higher tiers left out, with a reason
    pool: Mapped[list[str]] = mapped_column(JSON)  # every candidate the MT-lid chose from
    proposed_by: Mapped[str] = _person_fk()
    po_id: Mapped[str] = _person_fk()  # the P&O adviser asked to confirm
    state: Mapped[SelectionState] = mapped_column(_enum(SelectionState))
    refusal_reason: Mapped[str | None] = mapped_column(Text)  # may be personal: never logged
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoundDocument(Base):
    """A document mailed with a PDF attachment (the aanstellingsadvies), sent once by its key."""

    __tablename__ = "rec_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(
        ForeignKey("rec_round.id", ondelete="CASCADE"), index=True
    )
    municipality: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(120))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoundTally(Base):
    """Anonymous counts left after retention removed candidates: per round, tier and outcome."""

    __tablename__ = "rec_tally"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("rec_round.id", ondelete="CASCADE"))
    tier: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("round_id", "tier", "outcome"),)


class StaffStanding(Base):
    """REC-4: how someone on the staff register works for the municipality when it is not as
    its own employee (bovenformatief, former staff on UWO, seconded, hired); P&O records it. A
    person without a row is the municipality's own employee."""

    __tablename__ = "rec_staff_standing"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    municipality: Mapped[str] = mapped_column(String(64))
    standing: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
