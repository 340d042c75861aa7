"""`poflow status` and `poflow onboarding`: P&O's view of onboarding progress (ONB-4), an item
marked done and a buddy chosen by hand (the fallbacks for the digest's links, BUD-1)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from poflow.cli_support import acting_person, cli_runtime, operator, parse_date
from poflow.hires.services import get_hire
from poflow.kernel.calendar import today
from poflow.onboarding.buddy import set_buddy
from poflow.onboarding.status import LEGEND, status_rows
from poflow.onboarding.steps import complete_item

__all__ = ["onboarding_app", "status_command", "status_table"]

onboarding_app = typer.Typer(
    help="Onboarding checklist and buddy (ONB, BUD).", no_args_is_help=True
)


def status_table(rows: list[dict[str, str]], title: str) -> Table:
    """The rows as a rich Table for the terminal."""
    table = Table(title=title, caption=LEGEND)
    for column in rows[0] if rows else ["hire"]:
        table.add_column(column)
    for row in rows:
        table.add_row(*row.values())
    return table


def status_command(
    municipality: Annotated[str | None, typer.Option(help="Only this municipality (slug).")] = None,
    date_: Annotated[
        str | None, typer.Option("--date", help="The day (YYYY-MM-DD); default today.")
    ] = None,
) -> None:
    """Show onboarding progress per new colleague: done/open/overdue per phase (ONB-4)."""
    rt = cli_runtime()
    day = parse_date(date_, "--date") or today()
    console = Console(width=200)
    with rt.factory() as session:
        for slug in rt.slugs(municipality):
            cfg = rt.config(slug)
            rows = status_rows(
                session, cfg, day, columns=rt.registry.status_columns, configs=rt.configs
            )
            title = f"Onboarding {cfg.name}, {day.isoformat()}"
            if rows:
                console.print(status_table(rows, title))
            else:
                console.print(f"{title}: geen nieuwe collega's in onboarding.")


@onboarding_app.command("done")
def done_command(
    hire_id: Annotated[str, typer.Argument(help="The hire's id, e.g. NH-2027-001")],
    item: Annotated[str, typer.Argument(help="The checklist item's key, e.g. bos-bloemen")],
) -> None:
    """Mark a checklist item done (fallback for the link in the daily overview).

    An acknowledgement, not a decision (its link needs no login): recorded as the operator
    who ran the command (cli:<os user>)."""
    rt = cli_runtime()
    who = operator()
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        ctx = rt.context(session, hire.municipality, today(), actor=who)
        changed = complete_item(ctx, hire_id, item, by=who)
    typer.echo(f"Item {item} of {hire_id} " + ("is now done." if changed else "was already done."))


@onboarding_app.command("buddy")
def buddy_command(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    person_id: Annotated[str, typer.Argument(help="The buddy's person id (same team)")],
) -> None:
    """Make a colleague the hire's buddy; they are informed on the next tick (BUD-1).

    Decided by the person logged in with `poflow login`."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        by = acting_person(rt, session, municipality=hire.municipality).person_id
        ctx = rt.context(session, hire.municipality, today(), actor=by)
        set_buddy(ctx, hire, person_id, by=by)
    typer.echo(f"{person_id} is now the buddy of {hire_id}.")
