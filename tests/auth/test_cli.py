"""Tests of `poflow users add|reset|disable|list` through typer's CliRunner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from poflow.auth.accounts import login_of
from poflow.cli import app
from poflow.cli_support import operator
from poflow.db.models import AuditEntry
from tests.conftest import EXAMPLES

runner = CliRunner()
PASSWORD = "een-lang-wachtwoord-42"


def _staff(runtime: Any) -> None:
    assert runner.invoke(app, ["import", "staff", str(EXAMPLES / "staff.csv")]).exit_code == 0


def test_users_add_reads_the_password_from_stdin_and_audits_the_operator(runtime: Any):
    """`users add --password-stdin` makes an argon2 login, audited as the operator."""
    _staff(runtime)
    result = runner.invoke(
        app, ["users", "add", "HB-0004", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with runtime.factory() as db:
        login = login_of(db, "HB-0004")
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "login.added")).one()
    assert login is not None
    assert login.password_hash is not None
    assert login.password_hash.startswith("$argon2id$")
    assert audit.actor == operator()


def test_users_add_with_totp_prints_the_secret_and_uri_once(runtime: Any):
    """With --totp the secret and its otpauth:// URI are printed; list shows no secret."""
    _staff(runtime)
    result = runner.invoke(
        app, ["users", "add", "HB-0002", "--password-stdin", "--totp"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/poflow:HB-0002?secret=" in result.output
    with runtime.factory() as db:
        login = login_of(db, "HB-0002")
    assert login is not None
    assert login.totp_secret in result.output
    listed = runner.invoke(app, ["users", "list"])
    assert "HB-0002  hardenberg  local  totp  active" in listed.output
    assert login.totp_secret not in listed.output


def test_a_short_password_or_unknown_person_exits_1_and_changes_nothing(runtime: Any):
    """A too-short password and an unknown id each fail with a clear message, no login made."""
    _staff(runtime)
    short = runner.invoke(app, ["users", "add", "HB-0004", "--password-stdin"], input="kort\n")
    assert short.exit_code == 1
    assert "shorter than 12" in short.output
    unknown = runner.invoke(
        app, ["users", "add", "HB-9999", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert unknown.exit_code == 1
    assert "HB-9999" in unknown.output
    assert "No logins." in runner.invoke(app, ["users", "list"]).output


def test_reset_and_disable_change_the_state_list_shows(runtime: Any):
    """disable marks the login disabled; reset (hidden prompt, asked twice) enables it again."""
    _staff(runtime)
    runner.invoke(app, ["users", "add", "HB-0004", "--password-stdin"], input=PASSWORD + "\n")
    assert runner.invoke(app, ["users", "disable", "HB-0004"]).exit_code == 0
    assert "HB-0004  hardenberg  local  -  disabled" in runner.invoke(app, ["users", "list"]).output
    differ = runner.invoke(
        app, ["users", "reset", "HB-0004"], input="een-nieuw-wachtwoord\nanders-wachtwoord\n"
    )
    assert differ.exit_code == 1
    reset = runner.invoke(
        app, ["users", "reset", "HB-0004"], input="een-nieuw-wachtwoord\neen-nieuw-wachtwoord\n"
    )
    assert reset.exit_code == 0, reset.output
    assert "HB-0004  hardenberg  local  -  active" in runner.invoke(app, ["users", "list"]).output
