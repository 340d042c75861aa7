"""Local accounts: add, reset and disable a person's login, and check a login attempt.

Passwords are kept as argon2id hashes (argon2-cffi's defaults), a second factor is an optional
TOTP secret, each code accepted once (its time step is kept). Every refusal of a login attempt
looks the same from outside (`LoginRefused` with one Dutch message); why it was refused goes to
the audit log only. After MAX_FAILURES failed
attempts in a row the login is locked for LOCK_MINUTES. Audit rows hold ids, never a password
or a code.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import InputRefused, LoginRefused, NotFound
from poflow.auth.models import Login
from poflow.auth.sessions import end_sessions_of
from poflow.db.base import utcnow
from poflow.db.models import Person

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILURES",
    "MIN_PASSWORD_LENGTH",
    "add_login",
    "authenticate",
    "check_password",
    "disable_login",
    "login_of",
    "reset_login",
    "unlock_login",
]

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5  # failed attempts in a row before the login is locked
LOCK_MINUTES = 15
HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the person or their password hash is missing, so that a refusal
    takes as long whatever its reason (the time must not tell whether an account exists); made
    on first use, not at import (`poflow --help` stays fast)."""
    return HASHER.hash("poflow-no-such-login")


def check_password(person_id: str, password: str) -> None:
    """Refuse a password poflow will not take: shorter than 12 characters, or the person id."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputRefused(
            "password", f"is shorter than {MIN_PASSWORD_LENGTH} characters ({len(password)})"
        )
    if password.strip().casefold() == person_id.strip().casefold():
        raise InputRefused("password", "is the employee id itself")


def login_of(db: Session, person_id: str) -> Login | None:
    """The login of a person, if they have one."""
    return db.scalar(select(Login).where(Login.person_id == person_id))


def _person(db: Session, person_id: str) -> Person:
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person {person_id!r} in the staff register.")
    return person


def _new_totp(totp: bool) -> str | None:
    return pyotp.random_base32() if totp else None


def add_login(
    db: Session, person_id: str, password: str, *, totp: bool, actor: str = "system"
) -> str | None:
    """Give a person of the staff register a local login; return the TOTP secret when asked.

    Refused (nothing written) for an unknown person, a person who has a login already, or a
    password against the policy."""
    person = _person(db, person_id)
    if login_of(db, person_id) is not None:
        raise InputRefused(
            "EMPLOYEE_ID", f"{person_id} has a login already (one login per person; use reset)"
        )
    check_password(person_id, password)
    secret = _new_totp(totp)
    now = utcnow()
    db.add(
        Login(
            person_id=person_id,
            municipality=person.municipality,
            method="local",
            subject=person_id,
            password_hash=HASHER.hash(password),
            totp_secret=secret,
            failed_attempts=0,
            created_at=now,
            updated_at=now,
        )
    )
    db.flush()  # the unique (method, subject) and person constraints speak here
    audit.record(
        db,
        actor=actor,
        action="login.added",
        entity_type="person",
        entity_id=person_id,
        municipality=person.municipality,
        method="local",
        totp=totp,
    )
    return secret


def reset_login(
    db: Session, person_id: str, password: str, *, totp: bool, actor: str = "system"
) -> str | None:
    """Give a person's login a new password (and a new TOTP secret, or none): a local login
    again, enabled and unlocked; every session of the person ends. Returns the TOTP secret."""
    person = _person(db, person_id)
    login = login_of(db, person_id)
    if login is None:
        raise NotFound(f"{person_id} has no login (use add).")
    check_password(person_id, password)
    secret = _new_totp(totp)
    now = utcnow()
    login.method, login.subject = "local", person_id
    login.password_hash = HASHER.hash(password)
    login.totp_secret, login.totp_last_step = secret, None
    login.failed_attempts, login.locked_until, login.disabled_at = 0, None, None
    login.updated_at = now
    ended = end_sessions_of(db, person_id, now)
    audit.record(
        db,
        actor=actor,
        action="login.reset",
        entity_type="person",
        entity_id=person_id,
        municipality=person.municipality,
        totp=totp,
        sessions_ended=ended,
    )
    return secret


def disable_login(db: Session, person_id: str, *, actor: str = "system") -> None:
    """Disable a person's login (it can no longer log in) and end every session of theirs."""
    person = _person(db, person_id)
    login = login_of(db, person_id)
    if login is None:
        raise NotFound(f"{person_id} has no login.")
    now = utcnow()
    login.disabled_at = login.disabled_at or now
    login.updated_at = now
    ended = end_sessions_of(db, person_id, now)
    audit.record(
        db,
        actor=actor,
        action="login.disabled",
        entity_type="person",
        entity_id=person_id,
        municipality=person.municipality,
        sessions_ended=ended,
    )


def unlock_login(db: Session, person_id: str, *, actor: str = "system") -> bool:
    """End a lockout after too many failed attempts before its time (the counter starts
    again); False, and nothing written, when the login is not locked."""
    person = _person(db, person_id)
    login = login_of(db, person_id)
    if login is None or login.locked_until is None:
        return False
    login.failed_attempts, login.locked_until = 0, None
    login.updated_at = utcnow()
    audit.record(
        db,
        actor=actor,
        action="login.unlocked",
        entity_type="person",
        entity_id=person_id,
        municipality=person.municipality,
    )
    return True


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def audit_failed_login(db: Session, person: Person | None, reason: str, **detail: Any) -> None:
    """Audit a failed login, by password or a provider (ids only: a typed id that names nobody
    is not recorded)."""
    audit.record(
        db,
        actor=person.id if person is not None else "anonymous",
        action="login.failed",
        entity_type="person",
        entity_id=person.id if person is not None else "-",
        municipality=person.municipality if person is not None else None,
        reason=reason,
        **detail,
    )


def _refuse(db: Session, reason: str, person: Person | None, login: Login | None) -> LoginRefused:
    """Audit a failed attempt and give the one Dutch refusal."""
    failed = login.failed_attempts if login is not None else None
    audit_failed_login(db, person, reason, failed_attempts=failed)
    return LoginRefused(reason)


def _code_step(secret: str | None, code: str | None, now: datetime) -> int | None:
    """The time step (30 s) of `code` when it is the code of the step of `now` or of one either
    side (clock drift), else None."""
    sent = (code or "").strip()
    if secret is None or not sent:
        return None
    totp = pyotp.TOTP(secret)
    for drift in (-1, 0, 1):
        moment = now + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(moment), sent):
            return int(totp.timecode(moment))
    return None


def authenticate(
    db: Session, person_id: str, password: str, code: str | None, now: datetime
) -> str:
    """Check a local login attempt; return the person id, or raise LoginRefused.

    The failure (its counter, the lock, the audit row) is written to `db` before raising: the
    caller commits in both cases."""
    person = db.get(Person, person_id.strip()) if person_id.strip() else None
    login = login_of(db, person.id) if person is not None else None
    password_ok = _verify(login.password_hash if login is not None else None, password)
    if person is None:
        raise _refuse(db, "unknown", None, None)
    if login is None:
        raise _refuse(db, "no_login", person, None)
    if login.disabled_at is not None:
        raise _refuse(db, "disabled", person, login)
    if login.method != "local":
        raise _refuse(db, "method", person, login)
    if login.locked_until is not None and now < login.locked_until:
        raise _refuse(db, "locked", person, login)
    step = _code_step(login.totp_secret, code, now)
    # A code works once: one of the last accepted step or before is a replay (seen, logged).
    replay = step is not None and login.totp_last_step is not None and step <= login.totp_last_step
    code_ok = login.totp_secret is None or (step is not None and not replay)
    if not (password_ok and code_ok):
        login.failed_attempts += 1
        if login.failed_attempts >= MAX_FAILURES:
            login.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            login.failed_attempts = 0
            audit.record(
                db,
                actor="system",
                action="login.locked",
                entity_type="person",
                entity_id=person.id,
                municipality=person.municipality,
                minutes=LOCK_MINUTES,
            )
        why = "password" if not password_ok else "code_used" if replay else "code"
        raise _refuse(db, why, person, login)
    if HASHER.check_needs_rehash(login.password_hash or ""):
        login.password_hash = HASHER.hash(password)
    login.failed_attempts, login.locked_until = 0, None
    if step is not None:
        login.totp_last_step = step
    audit.record(
        db,
        actor=person.id,
        action="login.succeeded",
        entity_type="person",
        entity_id=person.id,
        municipality=person.municipality,
        method="local",
    )
    return person.id
