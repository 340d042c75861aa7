"""`poflow mail failed|retry`: the parked mail P&O was told about, and queueing it again."""

from __future__ import annotations

from typing import Annotated

import typer

from poflow.cli_support import cli_runtime
from poflow.mail.parking import parked_mail, retry_parked

__all__ = ["mail_app"]

mail_app = typer.Typer(
    help="The mail outbox: messages that could not be composed or delivered are parked "
    "(P&O gets a mail about each); list them and queue them again after a fix.",
    no_args_is_help=True,
)


@mail_app.command("failed")
def failed_cmd(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality (slug).")] = None,
) -> None:
    """List parked mail: id, municipality, case, template, attempts and the reason."""
    rt = cli_runtime()
    if municipality:
        rt.config(municipality)
    with rt.factory() as session:
        parked = parked_mail(session, municipality)
    if not parked:
        typer.echo("No parked mail.")
        return
    for p in parked:
        typer.echo(
            f"{p.id}  {p.municipality}  {p.case_type} {p.case_id}  {p.template}  "
            f"{p.attempts} attempt(s)  {p.reason}"
        )
    typer.echo(f"{len(parked)} parked message(s); after a fix: poflow mail retry ID")


@mail_app.command("retry")
def retry_cmd(
    outbox_id: Annotated[int, typer.Argument(metavar="ID", help="The id `mail failed` shows.")],
    to: Annotated[
        str | None, typer.Option("--to", help="The corrected address (checked as at import).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The corrected name.")] = None,
) -> None:
    """Queue one parked message again after a fix (audited).

    It gets one more attempt; if that fails too, it is parked again and P&O is told again.
    """
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        retry_parked(
            session, outbox_id, actor="cli", smtputf8=rt.settings.smtputf8, to=to, name=name
        )
    typer.echo(f"Mail {outbox_id} is queued again; the next run sends it.")
