"""`poflow users add|reset|disable|list`: the local logins of people in the staff register.

A password comes from standard input (`--password-stdin`, for scripts and tests) or from a
hidden prompt, asked twice; it is never printed, logged or audited. Every change is audited as
the operator who ran the command (`cli:<os user>`).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import pyotp
import typer
from sqlalchemy import select

from poflow._exceptions import PoflowError
from poflow.auth.access import reask_after_login_change
from poflow.auth.accounts import add_login, disable_login, reset_login
from poflow.auth.models import Login
from poflow.cli_support import cli_runtime, fail, operator, run_today

__all__ = ["users_app"]

ISSUER = "poflow"

users_app = typer.Typer(
    help="Local logins of the people in the staff register: one per person, an argon2 password "
    "hash and an optional TOTP second factor (authenticator app).",
    no_args_is_help=True,
)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input (its first line) instead of a hidden prompt.",
    ),
]
Totp = Annotated[
    bool,
    typer.Option(
        "--totp", help="Also ask a code from an authenticator app; prints its secret once."
    ),
]
EmployeeId = Annotated[str, typer.Argument(help="The person's id in the staff register.")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = typer.prompt("Wachtwoord", hide_input=True)
    second = typer.prompt("Wachtwoord (nogmaals)", hide_input=True)
    if first != second:
        fail("The two passwords differ; nothing was changed.")
    return str(first)


def _after(rt: Any, person_id: str, asked: str | None) -> None:
    if asked is not None:
        sent = run_today(rt, asked)
        typer.echo(
            f"{person_id} is asked in an open approval: their links and decisions are void, they "
            f"are asked again at their own address and told ({sent} message(s) sent)."
        )


def _show_totp(person_id: str, secret: str | None) -> None:
    if secret is None:
        return
    uri = pyotp.TOTP(secret).provisioning_uri(name=person_id, issuer_name=ISSUER)
    typer.echo(f"TOTP secret (shown once; put it in the authenticator app): {secret}")
    typer.echo(f"otpauth URI: {uri}")


def _set_password(
    command: str, setter: Any, employee_id: str, password_stdin: bool, totp: bool, done: str
) -> None:
    """`users add` or `users reset`: set the password (and TOTP secret) with `setter`, re-ask
    the person where an open approval asks them, say `done` and show the TOTP secret once."""
    rt = cli_runtime()
    password = _password(password_stdin)
    try:
        with rt.factory() as session, session.begin():
            secret = setter(session, employee_id, password, totp=totp, actor=operator())
            asked = reask_after_login_change(rt, session, employee_id, actor=operator())
    except PoflowError as exc:
        fail(f"poflow users {command} {employee_id}: {exc}; nothing was changed.")
    typer.echo(done)
    _after(rt, employee_id, asked)
    _show_totp(employee_id, secret)


@users_app.command("add")
def add_cmd(
    employee_id: EmployeeId, password_stdin: PasswordStdin = False, totp: Totp = False
) -> None:
    """Give a person a local login (at least 12 characters, not their id)."""
    done = f"Login added for {employee_id}."
    _set_password("add", add_login, employee_id, password_stdin, totp, done)


@users_app.command("reset")
def reset_cmd(
    employee_id: EmployeeId, password_stdin: PasswordStdin = False, totp: Totp = False
) -> None:
    """Give a person's login a new password (and TOTP secret, or none); ends their sessions."""
    done = f"Login of {employee_id} reset; their sessions ended."
    _set_password("reset", reset_login, employee_id, password_stdin, totp, done)


@users_app.command("disable")
def disable_cmd(employee_id: EmployeeId) -> None:
    """Disable a person's login and end their sessions (reset enables it again)."""
    rt = cli_runtime()
    try:
        with rt.factory() as session, session.begin():
            disable_login(session, employee_id, actor=operator())
    except PoflowError as exc:
        fail(f"poflow users disable {employee_id}: {exc}; nothing was changed.")
    typer.echo(f"Login of {employee_id} disabled; their sessions ended.")


@users_app.command("list")
def list_cmd(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality (slug).")] = None,
) -> None:
    """Every login: person id, municipality, method, TOTP and state (no passwords)."""
    rt = cli_runtime()
    query = select(Login).order_by(Login.municipality, Login.person_id)
    if municipality:
        rt.config(municipality)
        query = query.where(Login.municipality == municipality)
    with rt.factory() as session:
        logins = session.scalars(query).all()
    if not logins:
        typer.echo("No logins.")
        return
    for login in logins:
        state = "disabled" if login.disabled_at else "locked" if login.locked_until else "active"
        totp = "totp" if login.totp_secret else "-"
        typer.echo(f"{login.person_id}  {login.municipality}  {login.method}  {totp}  {state}")
    typer.echo(f"{len(logins)} login(s)")
