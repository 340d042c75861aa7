"""`poflow checkin`: record a check-in as held (the fallback for the link in the mail), as the
hire's leidinggevende logged in with `poflow login`, not before the talk's date (CHK-2)."""

from __future__ import annotations

from typing import Annotated

import typer

from poflow._exceptions import CheckinRefused
from poflow.checkins.links import held_talk, record_checkin_held
from poflow.cli_support import acting_person, cli_runtime, fail, operator
from poflow.hires.services import get_hire
from poflow.kernel.calendar import today

__all__ = ["checkin_app"]

checkin_app = typer.Typer(help="Check-ins at 1, 3 and 8 months (CHK).", no_args_is_help=True)


@checkin_app.command("held")
def checkin_held(
    hire_id: Annotated[str, typer.Argument(help="The hire's id, e.g. NH-2027-001")],
    month: Annotated[int, typer.Argument(help="Which check-in: 1, 3 or 8 (months)")],
    note: Annotated[str | None, typer.Option(help="Optional note (stored, never logged)")] = None,
) -> None:
    """Record that a check-in took place (fallback for the link in the mail).

    Only the hire's leidinggevende, logged in with `poflow login`, from the talk's date on;
    P&O records it on their behalf on the page /checkins/HIRE_ID/MONTH/namens, with a reason.
    """
    rt = cli_runtime()
    refused: CheckinRefused | None = None
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        held_talk(rt.context(session, hire.municipality, today()), hire_id, month)  # names a bad id
        person = acting_person(rt, session, municipality=hire.municipality)
        ctx = rt.context(session, hire.municipality, today(), actor=person.person_id)
        try:  # the rules refuse before anything changes: the refusal's audit row is all
            record_checkin_held(ctx, hire_id, month, by=person.person_id, note=note, via=operator())
        except CheckinRefused as exc:
            refused = exc
            ctx.audit("checkin.refused", "hire", hire_id, month=month, via=operator())
    if refused is not None:
        fail(f"poflow checkin held {hire_id} {month}: {refused}")
    typer.echo(f"Check-in after {month} month(s) of {hire_id} recorded as held.")
