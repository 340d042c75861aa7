"""`poflow hire`: move a new hire's start date or cancel the hire (ONB-5)."""

from __future__ import annotations

from typing import Annotated

import typer

from poflow.cli_support import cli_runtime, fail, operator, parse_date, run_today
from poflow.hires.services import cancel_hire, get_hire, move_hire
from poflow.kernel.calendar import today

__all__ = ["hire_app"]

hire_app = typer.Typer(
    help="Change a new hire: move the start date or cancel (ONB-5).", no_args_is_help=True
)


@hire_app.command("move")
def hire_move(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    start_date: Annotated[
        str, typer.Option("--start-date", help="New start date: YYYY-MM-DD or D-M-YYYY")
    ],
    allow_non_working_day: Annotated[
        bool,
        typer.Option(help="Accept a start date on a weekend, CAO holiday or closing day."),
    ] = False,
    allow_past: Annotated[bool, typer.Option(help="Accept a start date before today.")] = False,
) -> None:
    """Move the start date: everyone already told hears it today (old and new date); open
    items, check-ins and invitations move (updated .ics, sent today).

    A date that is not worked (weekend, CAO holiday, closing day) or lies before today is refused
    unless allowed by the options."""
    rt = cli_runtime()
    new = parse_date(start_date, "--start-date")
    if new is None:
        fail("--start-date is required.")
    day = today()
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        slug = hire.municipality
        move_hire(
            session,
            rt.config(slug),
            hire_id,
            new,
            actor=operator(),
            today=day,
            allow_non_working_day=allow_non_working_day,
            allow_past=allow_past,
        )
    sent = run_today(rt, slug)
    typer.echo(
        f"Start date of {hire_id} moved to {new}; re-planned, and today's notices and updated "
        f"invitations sent ({sent} message(s))."
    )


@hire_app.command("cancel")
def hire_cancel(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    reason: Annotated[
        str | None, typer.Option(help="Why (kept in the audit log, not mailed).")
    ] = None,
) -> None:
    """Cancel a hire: nothing more is sent; everyone already told hears it today and sent
    invitations are withdrawn (calendar cancellations, sent today)."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        slug = get_hire(session, hire_id).municipality
        cancel_hire(session, hire_id, actor=operator(), today=today(), reason=reason)
    sent = run_today(rt, slug)
    typer.echo(
        f"Hire {hire_id} cancelled; today's notices and calendar cancellations sent "
        f"({sent} message(s))."
    )
