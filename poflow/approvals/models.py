"""The tables of four-eyes approvals (REC-9): the recorded decisions and the questions asked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poflow.db.base import Base, UTCDateTime, utcnow
from poflow.kernel.foureyes import Outcome

__all__ = ["Approval", "ApprovalRequest"]


class Approval(Base):
    """A recorded four-eyes decision; the unique constraints are the database's own check."""

    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    approve: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)  # personal data: stored, never logged
    link_id: Mapped[int | None] = mapped_column(ForeignKey("action_link.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "role"),
        UniqueConstraint("subject_type", "subject_id", "person_id"),
    )


class ApprovalRequest(Base):
    """One four-eyes question: which person is asked in which role, and where it stands."""

    __tablename__ = "approval_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))  # may name the candidate: never logged
    required: Mapped[dict[str, str]] = mapped_column(JSON)  # role -> person id
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[Outcome] = mapped_column(
        Enum(Outcome, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Outcome.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("subject_type", "subject_id"),)
