"""`poflow checkin`: record a check-in as held (the fallback for the link in the mail)."""

from __future__ import annotations

from typing import Annotated

import typer

from poflow.checkins.links import record_checkin_held
from poflow.cli_support import cli_runtime
from poflow.hires.services import get_hire
from poflow.kernel.calendar import today

__all__ = ["checkin_app"]

checkin_app = typer.Typer(help="Check-ins at 1, 3 and 8 months (CHK).", no_args_is_help=True)


@checkin_app.command("held")
def checkin_held(
    hire_id: Annotated[str, typer.Argument(help="The hire's id, e.g. NH-2027-001")],
    month: Annotated[int, typer.Argument(help="Which check-in: 1, 3 or 8 (months)")],
    by: Annotated[str, typer.Option(help="Who records it (person id); default 'cli'")] = "cli",
    note: Annotated[str | None, typer.Option(help="Optional note (stored, never logged)")] = None,
) -> None:
    """Record that a check-in took place (fallback for the link in the mail)."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        ctx = rt.context(session, hire.municipality, today(), actor=by)
        record_checkin_held(ctx, hire_id, month, by=by, note=note)
    typer.echo(f"Check-in after {month} month(s) of {hire_id} recorded as held.")
