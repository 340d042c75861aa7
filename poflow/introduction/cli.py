"""`poflow intro ...` and `poflow portfolio HIRE_ID`: P&O's commands for the introduction programme.

These print names: they are poflow's own output for P&O, never a Prefect run (X-3).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from poflow.cli_support import acting_person, cli_runtime, fail, operator, parse_date
from poflow.engine import Context
from poflow.hires.services import get_hire
from poflow.introduction.attendance import record_attendances
from poflow.introduction.completions import import_completions
from poflow.introduction.config import section
from poflow.introduction.planner import enrol
from poflow.introduction.portfolio import portfolio
from poflow.introduction.sessions import plan_day
from poflow.introduction.status import named_rows, session_rows, sessions_between
from poflow.introduction.steps import add_role_item, complete_item
from poflow.kernel.calendar import today

__all__ = ["intro_app", "portfolio_app"]

intro_app = typer.Typer(
    help="The introduction programme (INT): enrol, sessions, attendance, e-learning.",
    no_args_is_help=True,
)
portfolio_app = typer.Typer(help="Show a new employee's introduction portfolio (INT-4).")


def _day(value: str | None, option: str = "--date") -> date:
    """The day an option names, today when it names none."""
    return parse_date(value, option) or today()


@contextmanager
def _ctx(
    *,
    municipality: str | None = None,
    hire_id: str | None = None,
    day: date | None = None,
    acting: bool = False,
) -> Iterator[Context]:
    """A Context in one transaction, for the hire's municipality or the one named; its actor is
    the person logged in with `poflow login` when `acting`, else the operator (cli:<os user>)."""
    rt = cli_runtime()
    with rt.factory() as session, session.begin():
        slug = get_hire(session, hire_id).municipality if hire_id else municipality
        if slug is None:
            slugs = rt.slugs()
            if len(slugs) != 1:
                fail("Name the municipality with --municipality.")
            slug = slugs[0]
        actor = acting_person(rt, session, municipality=slug).person_id if acting else operator()
        yield rt.context(session, slug, day or today(), actor=actor)


Muni = Annotated[str | None, typer.Option(help="Municipality slug, e.g. hardenberg")]
Day = Annotated[
    str | None,
    typer.Option("--date", help="Act as on this day (YYYY-MM-DD); default today. For simulations."),
]


@intro_app.command("enrol")
def enrol_cmd(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    variant: Annotated[str | None, typer.Option(help="Variant; default per target group")] = None,
) -> None:
    """Enrol a secondary-group hire (stage, detachering, payroll, inhuur) in the programme.

    As the person logged in with `poflow login`: a P&O adviser or the hire's leidinggevende."""
    with _ctx(hire_id=hire_id, acting=True) as ctx:
        e = enrol(ctx, hire_id, by=ctx.actor, variant=variant)
        typer.echo(
            f"{hire_id} takes part in the introduction programme ({e.group.value}, "
            f"variant {e.variant})."
        )


@intro_app.command("elearning-import")
def elearning_import(
    file: Annotated[Path, typer.Argument(help="CSV: hire_id,module,completed_on")],
    municipality: Muni = None,
    date_: Day = None,
) -> None:
    """Import e-learning completions from the learning platform; each gets a certificate."""
    with _ctx(municipality=municipality, day=_day(date_)) as ctx:
        result = import_completions(ctx, file)
    typer.echo(f"Imported {file}: {result.completed} completed, {result.unchanged} already done.")


@intro_app.command("sessions")
def sessions_cmd(
    municipality: Muni = None,
    first: Annotated[str | None, typer.Option("--from", help="From YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Until YYYY-MM-DD")] = None,
) -> None:
    """List the group sessions with their numbers of invited, attending and missing people."""
    start = _day(first, "--from") if first else today() - timedelta(days=90)
    end = _day(until, "--until") if until else start + timedelta(days=270)
    with _ctx(municipality=municipality) as ctx:
        rows = sessions_between(ctx.session, ctx.municipality, start, end)
    if not rows:
        typer.echo("No sessions in this period.")
    for s in rows:
        counts = ", ".join(f"{k} {v}" for k, v in s.counts.items())
        typer.echo(f"#{s.id:<4} {s.session_date}  {s.title:<36} ({s.capacity} plaatsen) {counts}")


@intro_app.command("session")
def session_cmd(
    session_id: Annotated[int, typer.Argument(help="The session's number")],
    municipality: Muni = None,
) -> None:
    """Show who was invited to a session and whether they came (names: P&O only)."""
    with _ctx(municipality=municipality) as ctx:
        title, _ = session_rows(ctx.session, session_id)
        typer.echo(title)
        for hire_id, name, status, reason in named_rows(ctx.session, session_id):
            typer.echo(f"  {hire_id:<14} {name:<30} {status:<10} {reason}")


@intro_app.command("attendance")
def attendance_cmd(
    session_id: Annotated[int, typer.Argument(help="The session's number")],
    present: Annotated[list[str] | None, typer.Option(help="Hire id that was there")] = None,
    absent: Annotated[list[str] | None, typer.Option(help="Hire id that was not there")] = None,
    municipality: Muni = None,
    date_: Day = None,
) -> None:
    """Record attendance; whoever was absent is invited to the next session automatically.

    An acknowledgement (its link needs no login): recorded as the operator (cli:<os user>)."""
    with _ctx(municipality=municipality, day=_day(date_)) as ctx:
        record_attendances(
            ctx, session_id, present=present or [], absent=absent or [], by=ctx.actor
        )
    typer.echo(
        f"Attendance of session {session_id} recorded: {len(present or [])} present, "
        f"{len(absent or [])} absent."
    )


@intro_app.command("role-item")
def role_item_cmd(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    title: Annotated[str, typer.Option(help="What was agreed, e.g. a course for the role")],
    due: Annotated[str, typer.Option(help="Due date YYYY-MM-DD")],
) -> None:
    """Add a role-specific item agreed in the arbeidsvoorwaardengesprek (INT-5).

    Added by the person logged in with `poflow login`."""
    with _ctx(hire_id=hire_id, acting=True) as ctx:
        step = add_role_item(ctx, hire_id, title=title, due=_day(due, "--due"), by=ctx.actor)
    typer.echo(f"Added {step.key} to the programme of {hire_id}; the employee gets a mail.")


@intro_app.command("done")
def done_cmd(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    item: Annotated[
        str, typer.Argument(help="e-learning key, tma, startontwikkelgesprek or rol:N")
    ],
) -> None:
    """Record an item of the own line as done (fallback for the link in the mail).

    An acknowledgement (its link needs no login): recorded as the operator (cli:<os user>)."""
    with _ctx(hire_id=hire_id) as ctx:
        step, changed = complete_item(ctx, hire_id, item, by=ctx.actor, source="cli")
    typer.echo(
        f"{step.key} of {hire_id} " + ("recorded as done." if changed else "was already done.")
    )


@intro_app.command("plan")
def plan_cmd(
    date_: Annotated[str | None, typer.Option("--date", help="The day (YYYY-MM-DD)")] = None,
    municipality: Muni = None,
) -> None:
    """Run the session planning of one day without Prefect (what the three flows do)."""
    rt = cli_runtime()
    day = _day(date_)
    for slug in rt.slugs(municipality):
        for series in section(rt.config(slug)).series_keys():
            plan = plan_day(
                rt.factory, rt.config(slug), rt.settings, day, series, registry=rt.registry
            )
            if plan.invited or plan.spilled or plan.cancelled:
                typer.echo(f"{slug} {series}: {plan.counts()}")


@portfolio_app.callback(invoke_without_command=True)
def portfolio_cmd(hire_id: Annotated[str, typer.Argument(help="The hire's id")]) -> None:
    """The employee's introduction portfolio: each item, its status and certificates."""
    with _ctx(hire_id=hire_id) as ctx:
        hire = get_hire(ctx.session, hire_id)
        folio = portfolio(ctx, hire)
        typer.echo(f"Portfolio {hire_id} – {hire.full_name}: {folio.status}")
        for line in folio.lines:
            cert = f"  bewijs van deelname {line.certificate}" if line.certificate else ""
            typer.echo(f"  [{line.line:<11}] {line.title:<52} {line.status}{cert}")
