"""`poflow hire`: move a new hire's start date or cancel the hire (ONB-5)."""

from __future__ import annotations

from typing import Annotated

import typer

from poflow.cli_support import cli_runtime, fail, operator, parse_date
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
    """Move the start date: open items, check-ins and invitations move (updated .ics).

    A date that is not worked (weekend, CAO holiday, closing day) or lies before today is refused
    unless allowed by the options."""
    rt = cli_runtime()
    new = parse_date(start_date, "--start-date")
    if new is None:
        fail("--start-date is required.")
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        move_hire(
            session,
            rt.config(hire.municipality),
            hire_id,
            new,
            actor=operator(),
            today=today(),
            allow_non_working_day=allow_non_working_day,
            allow_past=allow_past,
        )
    typer.echo(
        f"Start date of {hire_id} moved to {new}; the next tick re-plans and sends "
        "updated invitations."
    )


@hire_app.command("cancel")
def hire_cancel(hire_id: Annotated[str, typer.Argument(help="The hire's id")]) -> None:
    """Cancel a hire: nothing more is sent, sent invitations are withdrawn."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        cancel_hire(session, hire_id, actor="cli", today=today())
    typer.echo(f"Hire {hire_id} cancelled; the next tick sends the calendar cancellations.")
