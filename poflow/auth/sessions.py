"""Login sessions kept on the server: the cookie holds a random value, the database only its
SHA-256. A session ends on logout, after `idle_minutes` without a request, after `max_hours` in
all, and when the person's login is reset or disabled."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poflow import audit
from poflow.auth.models import Login, LoginSession
from poflow.auth.viewer import Viewer
from poflow.db.base import rowcount
from poflow.db.models import Person

__all__ = ["end_session", "end_sessions_of", "resolve_session", "start_session", "token_hash"]

REFRESH = timedelta(minutes=1)  # last_seen_at is written at most this often
MAX_COOKIE_LENGTH = 128  # a cookie value is 43 characters; anything longer is not looked up


def token_hash(cookie_value: str) -> str:
    """The SHA-256 (hex) under which a session's cookie value is kept."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def start_session(db: Session, person_id: str, method: str, now: datetime) -> str:
    """Open a session for a person who just logged in; return the cookie value (never stored)."""
    value = secrets.token_urlsafe(32)
    db.add(
        LoginSession(
            token_hash=token_hash(value),
            person_id=person_id,
            method=method,
            created_at=now,
            last_seen_at=now,
        )
    )
    person = db.get(Person, person_id)
    db.flush()
    audit.record(
        db,
        actor=person_id,
        action="session.started",
        entity_type="person",
        entity_id=person_id,
        municipality=person.municipality if person is not None else None,
        method=method,
    )
    return value


def _live(db: Session, cookie_value: str | None) -> LoginSession | None:
    if not cookie_value or len(cookie_value) > MAX_COOKIE_LENGTH:
        return None
    return db.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == token_hash(cookie_value), LoginSession.ended_at.is_(None)
        )
    )


def resolve_session(
    db: Session, cookie_value: str | None, now: datetime, idle_minutes: int, max_hours: int
) -> Viewer | None:
    """The person of a live session, or None: unknown, ended, idle too long, too old, or the
    person's login disabled. A session found expired is ended. Refreshes last_seen_at (at most
    once a minute); the caller commits."""
    row = _live(db, cookie_value)
    if row is None:
        return None
    login = db.scalar(select(Login).where(Login.person_id == row.person_id))
    person = db.get(Person, row.person_id)
    if (
        now - row.last_seen_at > timedelta(minutes=idle_minutes)
        or now - row.created_at > timedelta(hours=max_hours)
        or person is None
        or login is None
        or login.disabled_at is not None
    ):
        row.ended_at = now
        return None
    if now - row.last_seen_at >= REFRESH:
        row.last_seen_at = now
    return Viewer(
        person_id=person.id,
        municipality=person.municipality,
        name=person.full_name,
        roles=frozenset(person.role_names),
        method=row.method,
    )


def end_session(db: Session, cookie_value: str | None, now: datetime) -> bool:
    """Log out: end the session of this cookie value (audited); False when none was live."""
    row = _live(db, cookie_value)
    if row is None:
        return False
    row.ended_at = now
    person = db.get(Person, row.person_id)
    audit.record(
        db,
        actor=row.person_id,
        action="session.ended",
        entity_type="person",
        entity_id=row.person_id,
        municipality=person.municipality if person is not None else None,
        reason="logout",
    )
    return True


def end_sessions_of(db: Session, person_id: str, now: datetime) -> int:
    """End every live session of a person (their login was reset or disabled); how many."""
    result = db.execute(
        update(LoginSession)
        .where(LoginSession.person_id == person_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return rowcount(result)
