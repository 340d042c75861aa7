"""What every `poflow` sub-command shares: the runtime with a migrated database, a clear
failure message, dates from options (the one parser of `poflow.kernel.dates`), the operator
and the logged-in person who act."""

from __future__ import annotations

import getpass
from datetime import date
from typing import TYPE_CHECKING, NoReturn

import typer

from poflow.kernel import dates
from poflow.kernel.calendar import today

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from poflow.auth.viewer import Viewer
    from poflow.runtime import Runtime

__all__ = [
    "LOGIN_FIRST",
    "acting_person",
    "cli_runtime",
    "fail",
    "operator",
    "parse_date",
    "run_today",
]

LOGIN_FIRST = "Log eerst in: poflow login <personeelsnummer>"


def fail(message: str) -> NoReturn:
    """Print `message` in red on stderr and exit with status 1."""
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def operator() -> str:
    """The audit actor of a command-line use: `cli:<the operating-system user who ran it>`.

    A command records what the operator did; it never records a decision for someone else: a
    person's decision or a P&O step is recorded as the person logged in (`acting_person`)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (e.g. a bare container)
        user = "onbekend"
    return f"cli:{user}"


def parse_date(value: str | None, option: str) -> date | None:
    """`value` as a date (ISO or Dutch `1-4-2027`, `01-04-2027`), None when not given; a clear
    failure naming `option` otherwise."""
    if value is None:
        return None
    try:
        return dates.parse_date(value)
    except ValueError as exc:
        fail(f"{option}: {value!r} {exc}.")


def cli_runtime() -> Runtime:
    """The runtime for the command line's settings, with the database schema brought up to date."""
    # Imported when a command runs: the sub-commands are part of the process declarations the
    # runtime is built from, so the runtime cannot be imported when they are.
    from poflow.db.session import upgrade_schema
    from poflow.runtime import get_runtime, prepare_environment

    prepare_environment()
    rt = get_runtime()
    upgrade_schema(rt.settings.resolved_database_url())
    return rt


def run_today(rt: Runtime, municipality: str) -> int:
    """Run today's dispatcher pass for one municipality at once (plan, perform, send; safe to
    repeat, X-1): a change made on the command line is told the same day. The number sent."""
    from poflow.runtime import run_day  # deferred, as in cli_runtime

    return run_day(rt, today(), municipality=municipality)["sent"]


def acting_person(rt: Runtime, db: Session, *, municipality: str | None = None) -> Viewer:
    """The person logged in on the command line (`poflow login`) for this database, as a live
    session with the web's idle and maximum lifetimes; a clear failure when there is none, or
    when `municipality` is given and the person is not of it."""
    # Imported here: this module stays light (`poflow --help` imports it, not SQLAlchemy).
    from poflow.auth.cli_session import read_session
    from poflow.auth.sessions import resolve_session
    from poflow.db.base import utcnow

    settings = rt.settings
    value, problem = read_session(settings.resolved_database_url())
    if problem:
        fail(f"{problem}\n{LOGIN_FIRST}")
    viewer = resolve_session(
        db, value, utcnow(), settings.session_idle_minutes, settings.session_max_hours
    )
    if viewer is None or viewer.method != "cli":
        fail(LOGIN_FIRST)
    if municipality is not None and viewer.municipality != municipality:
        fail(
            f"{viewer.person_id} is logged in, a person of {viewer.municipality}, not of "
            f"{municipality}: nothing was changed."
        )
    return viewer
