"""Onboarding's table: an owner's notices of checklist items, waiting for their digest (ONB-3)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poflow.db.base import Base, UTCDateTime, utcnow
from poflow.onboarding.rules import Level

__all__ = ["OnboardingNotice"]


class OnboardingNotice(Base):
    """One recipient's notice of one checklist item at one level, until a digest carries it."""

    __tablename__ = "onboarding_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"))
    hire_id: Mapped[str] = mapped_column(String(40))
    level: Mapped[Level] = mapped_column(
        Enum(Level, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    recipient_key: Mapped[str] = mapped_column(String(48))  # "po", "p:<person>", "h:<hire>"
    day: Mapped[date] = mapped_column(Date)
    digest_key: Mapped[str | None] = mapped_column(String(200))  # the digest that carried it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("action_id", "recipient_key"),
        Index("ix_onboarding_notice_waiting", "municipality", "recipient_key", "digest_key"),
    )
