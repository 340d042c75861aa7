"""`poflow coach ...`: the career coach's records and the yearly report from the terminal (LBC)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from poflow.cli_support import cli_runtime, parse_date
from poflow.coaching.importer import import_registrations
from poflow.coaching.links import register_link, update_link
from poflow.coaching.registrations import (
    NewRegistration,
    end_trajectory,
    own_registration,
    register,
    set_consent,
    set_goal,
)
from poflow.coaching.render import render_text, render_tsv
from poflow.coaching.rules import may_inform_manager
from poflow.coaching.states import parse_goal
from poflow.coaching.status import report_for
from poflow.engine import Context
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role

__all__ = ["coach_app"]

coach_app = typer.Typer(
    help="Career coaching (LBC): the coach's confidential records and the "
    "yearly report (counts only).",
    no_args_is_help=True,
)

Coach = Annotated[
    str,
    typer.Option(
        "--coach",
        help="The coach's person id (role loopbaancoach); only they can change their records.",
    ),
]
Municipality = Annotated[str, typer.Option(help="Municipality slug, e.g. hardenberg.")]
Registration = Annotated[int, typer.Argument(help="The registration's number (id).")]


@contextmanager
def _context(municipality: str, actor: str) -> Iterator[Context]:
    """A Context of `municipality` on today, acting as the coach, in one transaction."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        yield rt.context(session, municipality, today(), actor=actor)


@coach_app.command("register")
def register_cmd(
    municipality: Municipality,
    coach: Coach,
    name: Annotated[str, typer.Option(help="The employee's name (kept in your records only).")],
    domain: Annotated[str, typer.Option(help="Domain: key, label or number (coaching.yaml).")],
    reason: Annotated[str, typer.Option(help="Reason category: key, label or number.")],
    source: Annotated[str, typer.Option(help="How it came about: key, label or number.")],
    on: Annotated[
        str | None, typer.Option("--date", help="Registration date; default today.")
    ] = None,
    manager: Annotated[str | None, typer.Option(help="The leidinggevende's person id.")] = None,
    consent: Annotated[
        bool, typer.Option(help="The employee agrees that the leidinggevende is told (one mail).")
    ] = False,
    goal: Annotated[str | None, typer.Option(help="Goal 1 (kept in your records only).")] = None,
    ref: Annotated[str | None, typer.Option(help="Your own number; default YEAR-NNN.")] = None,
) -> None:
    """Record a registration with the loopbaancoach (LBC-1)."""
    with _context(municipality, coach) as ctx:
        reg = register(
            ctx,
            NewRegistration(
                coach_id=coach,
                employee_name=name,
                registered_on=parse_date(on, "--date") or today(),
                domain=domain,
                reason=reason,
                source=source,
                ref=ref,
                manager_id=manager,
                manager_consent=consent,
                goal1_text=goal,
            ),
        )
        typer.echo(
            f"Registration {reg.id} ({reg.ref}) recorded"
            + (
                ": the leidinggevende will be told."
                if may_inform_manager(reg.manager_consent, reg.manager_id)
                else "."
            )
        )


@coach_app.command("goal")
def goal_cmd(
    registration: Registration,
    number: Annotated[int, typer.Argument(help="1 or 2")],
    state: Annotated[str, typer.Argument(help="lopend, behaald or niet behaald")],
    municipality: Municipality,
    coach: Coach,
    text: Annotated[str | None, typer.Option(help="The goal (kept in your records only).")] = None,
) -> None:
    """Set goal 1 or 2 of a trajectory and whether it was achieved (LBC-2)."""
    try:
        goal = parse_goal(state)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if goal is None:
        raise typer.BadParameter("give lopend, behaald or niet behaald")
    with _context(municipality, coach) as ctx:
        set_goal(ctx, own_registration(ctx, registration, coach), number, goal, text=text)
    typer.echo(f"Goal {number} of registration {registration}: {state}.")


@coach_app.command("end")
def end_cmd(
    registration: Registration,
    municipality: Municipality,
    coach: Coach,
    early: Annotated[
        str | None,
        typer.Option(help="Ended early: the reason (key, label or number). Without it: completed."),
    ] = None,
    on: Annotated[str | None, typer.Option("--date", help="End date; default today.")] = None,
) -> None:
    """Close a trajectory: completed, or ended early with a reason (LBC-2)."""
    with _context(municipality, coach) as ctx:
        reg = own_registration(ctx, registration, coach)
        end_trajectory(ctx, reg, on=parse_date(on, "--date") or today(), early_reason=early)
        typer.echo(f"Registration {registration}: {reg.state.value}.")


@coach_app.command("consent")
def consent_cmd(
    registration: Registration,
    municipality: Municipality,
    coach: Coach,
    agree: Annotated[
        bool,
        typer.Option(
            "--yes/--no", help="Whether the employee agrees that the leidinggevende is told."
        ),
    ],
    manager: Annotated[str | None, typer.Option(help="The leidinggevende's person id.")] = None,
) -> None:
    """Record the employee's consent to tell the leidinggevende (LBC-3)."""
    with _context(municipality, coach) as ctx:
        reg = own_registration(ctx, registration, coach)
        set_consent(ctx, reg, agree, manager_id=manager)
        told = (
            "will be told"
            if may_inform_manager(reg.manager_consent, reg.manager_id)
            else "is not told"
        )
    typer.echo(f"Registration {registration}: the leidinggevende {told}.")


@coach_app.command("link")
def link_cmd(
    municipality: Municipality,
    coach: Coach,
    registration: Annotated[
        int | None,
        typer.Option(help="A link to update this trajectory instead of a registration form."),
    ] = None,
) -> None:
    """Print a form link for the coach (bound to the coach's person id)."""
    with _context(municipality, coach) as ctx:
        if registration is not None:
            url = update_link(ctx, own_registration(ctx, registration, coach))
        else:
            if Role.LOOPBAANCOACH not in ctx.person(coach).role_names:
                raise typer.BadParameter(f"{coach} does not have the role {Role.LOOPBAANCOACH}")
            url = register_link(ctx, coach)
    typer.echo(url)


@coach_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="registrations .csv or .xlsx")]) -> None:
    """Import the coach's registrations (all rows or none; one line per bad row and column)."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        result = import_registrations(session, file, rt.configs, today=today())
    typer.echo(
        f"Imported registrations from {file}: {result.created} new, {result.updated} "
        f"updated, {result.unchanged} unchanged."
    )


@coach_app.command("report")
def report_cmd(
    year: Annotated[int, typer.Option(help="The report year, e.g. 2020.")],
    municipality: Annotated[str | None, typer.Option(help="Only this municipality.")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Count as on this day (YYYY-MM-DD); default today.")
    ] = None,
    tsv: Annotated[
        bool,
        typer.Option(
            help="Only the two tables, tab-separated as in seed 004 (paste into a spreadsheet)."
        ),
    ] = False,
) -> None:
    """The yearly report: registrations per domain, goals per category, target (counts only)."""
    rt = cli_runtime()
    day = parse_date(as_of, "--as-of") or today()
    with rt.factory() as session:
        for n, slug in enumerate(rt.slugs(municipality)):
            report = report_for(session, rt.config(slug), year=year, as_of=day)
            typer.echo(
                ("\n" if n else "") + (render_tsv(report) if tsv else render_text(report)), nl=False
            )
