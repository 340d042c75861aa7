"""The login tables: one login identity per person of the staff register, and the server-side
sessions of people who logged in (only a hash of each session cookie is kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poflow.db.base import Base, UTCDateTime, utcnow

__all__ = ["METHODS", "Login", "LoginSession"]

METHODS = ("local", "oidc")  # a local password (with optional TOTP) or OpenID Connect


class Login(Base):
    """How one person of the staff register logs in: a local password or an OIDC subject."""

    __tablename__ = "login"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    municipality: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))  # one of METHODS
    # local: the person id; oidc: the value of the claim that identifies the person
    subject: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id, local only
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32, when TOTP is on
    # the time step of the last code accepted: a code of that step or before is refused (replay)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("method", "subject"),)


class LoginSession(Base):
    """One session of a logged-in person; the cookie holds a random value, this row its hash."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the cookie
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_login_session_person", "person_id"),)
