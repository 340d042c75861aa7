"""Tests of `poflow login`, `whoami` and `logout` (issue 20: CLI use acts as the person logged
in): a session file only the user can read, one per database, the TOTP code asked, logout ends
the session, and a command-line session is no browser cookie."""

from __future__ import annotations

import stat
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from poflow.auth.accounts import add_login
from poflow.auth.cli_session import session_file
from poflow.auth.models import LoginSession
from poflow.cli import app
from poflow.web import create_app
from poflow.web.identity import SESSION_COOKIE
from tests.support import CLI_PASSWORD, cli_login

RUN = CliRunner()


def test_x_4_login_whoami_logout_with_a_private_session_file(example_data: Any) -> None:
    """Login writes a 0600 file named after the database, whoami names the person, logout
    ends the session (audited) and removes the file; the password is never printed."""
    rt = example_data
    assert RUN.invoke(app, ["whoami"]).exit_code == 1
    cli_login(rt, "HB-0004")
    path = session_file(rt.settings.resolved_database_url())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    who = RUN.invoke(app, ["whoami"])
    assert who.exit_code == 0, who.output
    assert who.output.startswith("HB-0004 (Dirk Mulder), hardenberg; rollen: leidinggevende")
    path.chmod(0o644)
    loose = RUN.invoke(app, ["whoami"])
    assert loose.exit_code == 1
    assert "can be read by others" in loose.output
    path.chmod(0o600)
    out = RUN.invoke(app, ["logout"])
    assert out.output.strip() == "Uitgelogd."
    assert not path.exists()
    assert RUN.invoke(app, ["whoami"]).exit_code == 1
    with rt.factory() as session:
        row = session.scalars(select(LoginSession).where(LoginSession.method == "cli")).one()
        assert row.ended_at is not None
    assert CLI_PASSWORD not in out.output + who.output


def test_x_4_login_asks_the_totp_code_of_a_login_that_has_one(sqlite_runtime: Any) -> None:
    """A login with TOTP needs its code: a wrong one is refused, the right one (asked after the
    password from standard input, or --code) logs in."""
    from poflow.importer import import_staff
    from tests.conftest import EXAMPLES

    rt = sqlite_runtime
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        secret = add_login(session, "HB-0002", CLI_PASSWORD, totp=True, actor="test")
    assert secret is not None
    args = ["login", "HB-0002", "--password-stdin"]
    wrong = RUN.invoke(app, [*args, "--code", "000000"], input=CLI_PASSWORD + "\n")
    assert wrong.exit_code == 1
    assert "Inloggen is niet gelukt" in wrong.output
    asked = RUN.invoke(app, args, input=f"{CLI_PASSWORD}\n{pyotp.TOTP(secret).now()}\n")
    assert asked.exit_code == 0, asked.output
    assert "Code uit je authenticator-app" in asked.output
    assert RUN.invoke(app, ["whoami"]).output.startswith("HB-0002 ")


def test_x_4_a_command_line_session_is_not_a_browser_session(example_data: Any) -> None:
    """The CLI session's value set as the web cookie does not log a browser in."""
    import json

    rt = example_data
    cli_login(rt, "HB-0004")
    path = session_file(rt.settings.resolved_database_url())
    value = json.loads(path.read_text(encoding="utf-8"))["session"]
    with TestClient(create_app(rt.settings)) as client:
        client.cookies.set(SESSION_COOKIE, value)
        answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/inloggen"
