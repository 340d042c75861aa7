"""The table of approval-role grants: asked for by an import, in force only once a second person
confirmed it (REC-9: nobody appoints their own second pair of eyes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from poflow.db.base import Base, UTCDateTime, utcnow

__all__ = ["RoleGrant"]

PENDING = text("confirmed_at IS NULL AND refused_at IS NULL")


class RoleGrant(Base):
    """One approval role asked for one person; `person_role` gets the row only on confirmation.

    Pending while neither confirmed nor refused; a later import that no longer lists the role
    withdraws it (refused by that import's actor).
    """

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    municipality: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    batch: Mapped[str] = mapped_column(String(32))  # one per import: its grants reviewed together
    requested_by: Mapped[str] = mapped_column(String(80))  # an audit actor: person id or cli:user
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(40))  # a person id
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_by: Mapped[str | None] = mapped_column(String(80))
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_role_grant_batch", "municipality", "batch"),
        # One waiting grant per person and role: a repeated import asks nothing twice.
        Index(
            "ix_role_grant_pending",
            "person_id",
            "role",
            unique=True,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        ),
    )

    @property
    def pending(self) -> bool:
        """Neither confirmed nor refused yet."""
        return self.confirmed_at is None and self.refused_at is None
