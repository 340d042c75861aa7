"""Tests of local accounts (poflow/auth/accounts.py): hashes, one message for every refusal,
lockout, the TOTP second factor, the password policy, and the audit of each (X-4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from poflow._exceptions import InputRefused, LoginRefused, NotFound
from poflow.auth.accounts import (
    LOCK_MINUTES,
    MAX_FAILURES,
    add_login,
    authenticate,
    disable_login,
    login_of,
    reset_login,
)
from poflow.db.base import utcnow
from poflow.db.models import AuditEntry

PASSWORD = "een-lang-wachtwoord-42"


def _add(rt: Any, person_id: str = "HB-0004", *, totp: bool = False) -> str | None:
    with rt.factory() as db, db.begin():
        return add_login(db, person_id, PASSWORD, totp=totp, actor="cli:test")


def _try(rt: Any, person_id: str, password: str, code: str | None = None, now: Any = None) -> Any:
    """One attempt, committed either way; the person id, or the LoginRefused."""
    with rt.factory() as db:
        try:
            found = authenticate(db, person_id, password, code, now or utcnow())
        except LoginRefused as exc:
            db.commit()
            return exc
        db.commit()
        return found


def _audits(rt: Any, action: str) -> list[AuditEntry]:
    with rt.factory() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


class TestAddingALogin:
    def test_the_password_is_kept_as_an_argon2id_hash(self, example_data: Any):
        """A login's password is stored only as an argon2id hash, never as given."""
        _add(example_data)
        with example_data.factory() as db:
            login = login_of(db, "HB-0004")
        assert login is not None
        assert login.password_hash is not None
        assert login.password_hash.startswith("$argon2id$")
        assert PASSWORD not in login.password_hash
        assert (login.method, login.subject, login.municipality) == (
            "local",
            "HB-0004",
            "hardenberg",
        )

    def test_x_4_adding_a_login_is_audited_without_the_password(self, example_data: Any):
        """Adding a login writes one audit row by the operator, holding ids and no password."""
        _add(example_data)
        (row,) = _audits(example_data, "login.added")
        assert (row.actor, row.entity_id) == ("cli:test", "HB-0004")
        assert PASSWORD not in repr(row.detail)

    @pytest.mark.parametrize(
        ("password", "why"),
        [("kort-11-tkn", "shorter than 12"), ("hb-0004     ", "employee id itself")],
    )
    def test_a_password_against_the_policy_is_refused(self, example_data: Any, password, why):
        """A password under 12 characters or equal to the person id is refused; no login made."""
        with pytest.raises(InputRefused, match=why), example_data.factory() as db:
            add_login(db, "HB-0004", password, totp=False)
        with example_data.factory() as db:
            assert login_of(db, "HB-0004") is None

    def test_a_person_has_at_most_one_login_and_must_be_on_the_staff(self, example_data: Any):
        """A second login for a person, or a login for an unknown id, is refused."""
        _add(example_data)
        with pytest.raises(InputRefused, match="has a login already"):
            _add(example_data)
        with pytest.raises(NotFound, match="HB-9999"):
            _add(example_data, "HB-9999")


class TestLoggingIn:
    def test_the_right_password_gives_the_person_and_is_audited(self, example_data: Any):
        """The right password returns the person id and writes a login.succeeded row."""
        _add(example_data)
        assert _try(example_data, "HB-0004", PASSWORD) == "HB-0004"
        assert [r.entity_id for r in _audits(example_data, "login.succeeded")] == ["HB-0004"]

    def test_every_refusal_gives_the_same_message(self, example_data: Any):
        """A wrong password, an unknown person, a person without login, a disabled login and a
        locked one are refused with one and the same message; only the audit says why."""
        _add(example_data)
        _add(example_data, "HB-0006")
        with example_data.factory() as db, db.begin():
            disable_login(db, "HB-0006", actor="cli:test")
        refusals = [
            _try(example_data, "HB-0004", "niet-het-wachtwoord"),
            _try(example_data, "HB-9999", PASSWORD),
            _try(example_data, "HB-0005", PASSWORD),
            _try(example_data, "HB-0006", PASSWORD),
        ]
        for _ in range(MAX_FAILURES - 1):
            _try(example_data, "HB-0004", "niet-het-wachtwoord")
        refusals.append(_try(example_data, "HB-0004", PASSWORD))  # locked now
        assert all(isinstance(r, LoginRefused) for r in refusals), refusals
        assert len({str(r) for r in refusals}) == 1
        assert [r.reason for r in refusals] == [
            "password",
            "unknown",
            "no_login",
            "disabled",
            "locked",
        ]
        failed = _audits(example_data, "login.failed")
        assert [r.detail["reason"] for r in failed][:4] == [
            "password",
            "unknown",
            "no_login",
            "disabled",
        ]
        assert all(PASSWORD not in repr(r.detail) for r in failed)

    def test_the_login_is_locked_for_15_minutes_after_5_failures(self, example_data: Any):
        """After five wrong passwords even the right one is refused, until 15 minutes pass."""
        _add(example_data)
        now = utcnow()
        for _ in range(MAX_FAILURES):
            assert isinstance(
                _try(example_data, "HB-0004", "fout-wachtwoord!", now=now), LoginRefused
            )
        during = _try(
            example_data, "HB-0004", PASSWORD, now=now + timedelta(minutes=LOCK_MINUTES - 1)
        )
        assert isinstance(during, LoginRefused)
        assert during.reason == "locked"
        after = now + timedelta(minutes=LOCK_MINUTES, seconds=1)
        assert _try(example_data, "HB-0004", PASSWORD, now=after) == "HB-0004"
        assert len(_audits(example_data, "login.locked")) == 1

    def test_four_failures_then_a_success_start_the_count_again(self, example_data: Any):
        """A successful login clears the failure count: four more failures do not lock."""
        _add(example_data)
        for _ in range(MAX_FAILURES - 1):
            _try(example_data, "HB-0004", "fout-wachtwoord!")
        assert _try(example_data, "HB-0004", PASSWORD) == "HB-0004"
        for _ in range(MAX_FAILURES - 1):
            _try(example_data, "HB-0004", "fout-wachtwoord!")
        assert _try(example_data, "HB-0004", PASSWORD) == "HB-0004"

    def test_a_login_with_totp_needs_the_current_code(self, example_data: Any):
        """With TOTP on, the password alone or a wrong code is refused; the app's code works."""
        secret = _add(example_data, totp=True)
        assert secret is not None
        now = utcnow()
        assert _try(example_data, "HB-0004", PASSWORD, None, now).reason == "code"
        wrong = f"{(int(pyotp.TOTP(secret).at(now)) + 1) % 1_000_000:06d}"
        assert _try(example_data, "HB-0004", PASSWORD, wrong, now).reason == "code"
        assert _try(example_data, "HB-0004", PASSWORD, pyotp.TOTP(secret).at(now), now) == "HB-0004"
        assert all(
            pyotp.TOTP(secret).at(now) not in repr(r.detail)
            for r in _audits(example_data, "login.failed")
        )

    def test_reset_gives_a_new_password_and_enables_the_login(self, example_data: Any):
        """After a reset the old password is refused, the new one works, a disabled login works
        again, and the reset is audited."""
        _add(example_data)
        with example_data.factory() as db, db.begin():
            disable_login(db, "HB-0004", actor="cli:test")
            reset_login(db, "HB-0004", "een-ander-wachtwoord", totp=False, actor="cli:test")
        assert isinstance(_try(example_data, "HB-0004", PASSWORD), LoginRefused)
        assert _try(example_data, "HB-0004", "een-ander-wachtwoord") == "HB-0004"
        assert [r.actor for r in _audits(example_data, "login.reset")] == ["cli:test"]
