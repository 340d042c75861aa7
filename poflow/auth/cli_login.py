"""`poflow login`, `poflow logout`, `poflow whoami`: who is acting on the command line.

A command that records a person's decision or a P&O step acts as the person logged in here
(`poflow.cli_support.acting_person`), never as someone named on the command line. Login checks
the local password (and TOTP code) as the login page does and starts a session (method "cli")
with the same idle and maximum lifetimes; its value is kept in a file only this operating-system
user can read, one per database (`poflow.auth.cli_session`). Passwords and codes are never
printed, logged or audited.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from poflow._exceptions import LoginRefused
from poflow.auth.accounts import authenticate, login_of
from poflow.auth.cli_session import forget_session, read_session, save_session
from poflow.auth.sessions import end_session, resolve_session, start_session
from poflow.cli_support import cli_runtime, fail
from poflow.db.base import utcnow

__all__ = ["login_cmd", "logout_cmd", "whoami_cmd"]


def login_cmd(
    employee_id: Annotated[str, typer.Argument(help="Your personeelsnummer, e.g. HB-0004.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from standard input (its first line) instead of a prompt.",
        ),
    ] = False,
    code: Annotated[
        str | None,
        typer.Option(help="The code of your authenticator app (asked when your login has one)."),
    ] = None,
) -> None:
    """Log in on the command line; commands then act as you (one session per database)."""
    rt = cli_runtime()
    url = rt.settings.resolved_database_url()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = str(typer.prompt("Wachtwoord", hide_input=True))
    now = utcnow()
    with rt.factory() as db:
        login = login_of(db, employee_id.strip())
        if code is None and login is not None and login.totp_secret is not None:
            code = str(typer.prompt("Code uit je authenticator-app"))
        try:
            person_id = authenticate(db, employee_id, password, code, now)
        except LoginRefused as exc:
            db.commit()  # the failure counts (lockout) and is audited
            fail(f"poflow login: {exc}")
        previous, _ = read_session(url)
        if previous:
            end_session(db, previous, now)  # the earlier CLI session of this user ends
        value = start_session(db, person_id, "cli", now)
        db.commit()
    save_session(url, value)
    typer.echo(
        f"Ingelogd als {person_id}. Opdrachten die iets vastleggen doen dat nu namens jou; "
        f"de sessie eindigt na {rt.settings.session_idle_minutes} minuten zonder gebruik of "
        f"na {rt.settings.session_max_hours} uur (poflow logout beëindigt haar nu)."
    )


def logout_cmd() -> None:
    """Log out on the command line: end the session and remove its file."""
    rt = cli_runtime()
    url = rt.settings.resolved_database_url()
    value, _ = read_session(url)
    ended = False
    if value:
        with rt.factory() as db:
            ended = end_session(db, value, utcnow())
            db.commit()
    removed = forget_session(url)
    typer.echo("Uitgelogd." if ended or removed else "Je was niet ingelogd.")


def whoami_cmd() -> None:
    """Show who is logged in on the command line for this database (exit 1 when nobody)."""
    rt = cli_runtime()
    settings = rt.settings
    value, problem = read_session(settings.resolved_database_url())
    if problem:
        fail(problem)
    with rt.factory() as db:
        viewer = resolve_session(
            db, value, utcnow(), settings.session_idle_minutes, settings.session_max_hours
        )
        db.commit()
    if viewer is None or viewer.method != "cli":
        fail("Niet ingelogd. Log in: poflow login <personeelsnummer>")
    roles = ", ".join(sorted(viewer.roles)) or "geen"
    typer.echo(f"{viewer.person_id} ({viewer.name}), {viewer.municipality}; rollen: {roles}")
