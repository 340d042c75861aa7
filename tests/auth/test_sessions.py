"""Tests of login sessions (poflow/auth/sessions.py): idle timeout, maximum age, logout, and
the end of every session when a login is reset or disabled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from poflow.auth.accounts import add_login, disable_login, reset_login
from poflow.auth.models import LoginSession
from poflow.auth.sessions import end_session, resolve_session, start_session, token_hash
from poflow.db.base import utcnow

IDLE, MAX_HOURS = 30, 10


def _start(rt: Any, person_id: str = "HB-0004") -> tuple[str, Any]:
    now = utcnow()
    with rt.factory() as db, db.begin():
        if person_id == "HB-0004":
            add_login(db, person_id, "een-lang-wachtwoord", totp=False)
        return start_session(db, person_id, "local", now), now


def _resolve(rt: Any, value: str, at: Any) -> Any:
    with rt.factory() as db, db.begin():
        return resolve_session(db, value, at, IDLE, MAX_HOURS)


def test_a_session_gives_the_person_and_only_its_hash_is_kept(example_data: Any):
    """A live session resolves to the person with their roles; the cookie value is not stored."""
    value, now = _start(example_data)
    viewer = _resolve(example_data, value, now + timedelta(minutes=1))
    assert (viewer.person_id, viewer.name, viewer.municipality) == (
        "HB-0004",
        "Dirk Mulder",
        "hardenberg",
    )
    assert viewer.roles == {"leidinggevende", "mt_lid"}
    with example_data.factory() as db:
        (row,) = db.scalars(select(LoginSession)).all()
    assert row.token_hash == token_hash(value)
    assert value not in repr(vars(row))


def test_a_session_ends_after_the_idle_time(example_data: Any):
    """A session unused for longer than the idle time is ended, and stays ended."""
    value, now = _start(example_data)
    assert _resolve(example_data, value, now + timedelta(minutes=IDLE - 1)) is not None
    later = now + timedelta(minutes=2 * (IDLE - 1))
    assert _resolve(example_data, value, later) is not None  # used within the idle time again
    assert _resolve(example_data, value, later + timedelta(minutes=IDLE, seconds=1)) is None
    assert _resolve(example_data, value, later + timedelta(minutes=IDLE + 1)) is None


def test_last_seen_is_written_at_most_once_a_minute(example_data: Any):
    """Requests within a minute do not write; one a minute later does."""
    value, now = _start(example_data)
    _resolve(example_data, value, now + timedelta(seconds=30))
    with example_data.factory() as db:
        assert db.scalars(select(LoginSession.last_seen_at)).one() == now
    _resolve(example_data, value, now + timedelta(seconds=61))
    with example_data.factory() as db:
        assert db.scalars(select(LoginSession.last_seen_at)).one() == now + timedelta(seconds=61)


def test_a_session_ends_after_its_maximum_age_however_busy(example_data: Any):
    """A session used every few minutes still ends after the maximum hours."""
    value, now = _start(example_data)
    at = now
    while at < now + timedelta(hours=MAX_HOURS):
        assert _resolve(example_data, value, at) is not None
        at += timedelta(minutes=IDLE - 5)
    assert _resolve(example_data, value, now + timedelta(hours=MAX_HOURS, seconds=1)) is None


def test_x_4_logout_ends_the_session_and_is_audited(example_data: Any):
    """After logout the cookie value gives nobody, and session.ended names the person."""
    value, now = _start(example_data)
    with example_data.factory() as db, db.begin():
        assert end_session(db, value, now)
    assert _resolve(example_data, value, now) is None
    with example_data.factory() as db, db.begin():
        assert not end_session(db, value, now)


def test_reset_and_disable_end_every_session_of_the_person(example_data: Any):
    """A reset ends both sessions of the person, a disable the next one; others keep theirs."""
    first, now = _start(example_data)
    with example_data.factory() as db, db.begin():
        second = start_session(db, "HB-0004", "local", now)
        add_login(db, "HB-0006", "een-lang-wachtwoord", totp=False)
        other = start_session(db, "HB-0006", "local", now)
        reset_login(db, "HB-0004", "een-nieuw-wachtwoord", totp=False)
    assert _resolve(example_data, first, now) is None
    assert _resolve(example_data, second, now) is None
    with example_data.factory() as db, db.begin():
        third = start_session(db, "HB-0004", "local", now)
        disable_login(db, "HB-0004")
    assert _resolve(example_data, third, now) is None
    assert _resolve(example_data, other, now).person_id == "HB-0006"


def test_an_unknown_or_overlong_cookie_gives_nobody(example_data: Any):
    """A cookie value no session has, or one far too long, resolves to None."""
    _start(example_data)
    assert _resolve(example_data, "niet-een-sessie", utcnow()) is None
    assert _resolve(example_data, "x" * 10_000, utcnow()) is None
