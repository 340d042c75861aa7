"""The `poflow` command: import people, run the daily dispatcher, record and change things."""

from __future__ import annotations

import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from poflow._exceptions import PoflowError

app = typer.Typer(
    help="poflow: workflow automation for P&O of a Dutch municipality. It runs recruitment "
    "rounds, onboarding, check-ins, the introduction programme, the conversation cycle and "
    "career-coaching records: it plans every step, sends the right Dutch mail with calendar "
    "invitation on the right working day, records state, reminds and escalates. Settings come "
    "from POFLOW_* environment variables; each municipality has a folder in config/.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: create or upgrade its tables.", no_args_is_help=True)
import_app = typer.Typer(
    help="Read staff and hires from CSV or .xlsx (all rows or none).", no_args_is_help=True
)
checkin_app = typer.Typer(help="Check-ins at 1, 3 and 8 months (CHK).", no_args_is_help=True)
hire_app = typer.Typer(
    help="Change a new hire: move the start date or cancel (ONB-5).", no_args_is_help=True
)
config_app = typer.Typer(
    help="The per-municipality configuration in config/.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
from poflow.dbcopy import copy_command  # noqa: E402  (poflow db copy --to URL)

db_app.command("copy")(copy_command)
app.add_typer(import_app, name="import")
app.add_typer(checkin_app, name="checkin")
app.add_typer(hire_app, name="hire")
app.add_typer(config_app, name="config")
from poflow.onboarding_status import onboarding_app, status_command  # noqa: E402  (ONB/BUD)

app.add_typer(onboarding_app, name="onboarding")
app.command("status")(status_command)
from poflow.web.cli import app as web_app  # noqa: E402  (poflow web: the link pages)

app.add_typer(web_app, name="web")
from poflow.coaching.cli import coach_app  # noqa: E402  (LBC: poflow coach ...)

app.add_typer(coach_app, name="coach")
from poflow.conversations.cli import appraisal_app, cycle_app  # noqa: E402  (GES)

app.add_typer(cycle_app, name="cycle")
app.add_typer(appraisal_app, name="appraisal")
from poflow.introduction.cli import intro_app, portfolio_app  # noqa: E402  (INT)

app.add_typer(intro_app, name="intro")
app.add_typer(portfolio_app, name="portfolio")
from poflow.recruitment.cli import recruitment_app  # noqa: E402  (REC: poflow recruitment)

app.add_typer(recruitment_app, name="recruitment")

DateOpt = Annotated[str | None, typer.Option(help="A day as YYYY-MM-DD.")]


def _fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {value!r} is not a date (expected YYYY-MM-DD).")
    return None


def _runtime() -> Any:
    from poflow.db.session import upgrade_schema
    from poflow.runtime import get_runtime, prepare_environment

    prepare_environment()
    rt = get_runtime()
    upgrade_schema(rt.settings.resolved_database_url())
    return rt


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables or bring them to the newest version (Alembic migrations)."""
    rt = _runtime()
    typer.echo(f"Database is up to date: {rt.settings.resolved_database_url().split('@')[-1]}")


@config_app.command("check")
def config_check() -> None:
    """Load and validate every municipality's configuration files; print what was found."""
    rt = _runtime()
    for slug, cfg in rt.configs.items():
        typer.echo(f"{slug}: {cfg.name} ({len(cfg.sections)} sections) OK")


def _import(kind: str, file: Path) -> None:
    from rich.progress import Progress

    from poflow.importer import import_hires, import_staff

    rt = _runtime()
    fn = import_staff if kind == "staff" else import_hires
    total = (
        max(sum(1 for _ in file.open(encoding="utf-8", errors="ignore")) - 1, 1)
        if file.suffix.lower() == ".csv" and file.is_file()
        else None
    )
    with Progress(transient=True, disable=total is None or total < 500) as bar:
        job = bar.add_task(f"import {kind}", total=total)
        with rt.factory() as session, session.begin():
            result = fn(session, file, rt.configs, progress=lambda n: bar.advance(job, n))
    typer.echo(
        f"Imported {kind} from {file}: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )


@import_app.command("staff")
def import_staff_cmd(file: Annotated[Path, typer.Argument(help="staff.csv or .xlsx")]) -> None:
    """Import staff and their roles (columns as in shared/examples/staff.csv)."""
    _import("staff", file)


@import_app.command("hires")
def import_hires_cmd(file: Annotated[Path, typer.Argument(help="hires.csv or .xlsx")]) -> None:
    """Import new hires (columns as in shared/examples/hires.csv); staff must be imported first."""
    _import("hires", file)


def _quiet_prefect() -> contextlib.AbstractContextManager[Any]:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # A CLI tick is watched by the person running it; the heartbeat thread would add ~1 s a run.
    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


@app.command()
def tick(
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help="The day to run (YYYY-MM-DD); default today. Use it to simulate any day."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Run every day from --date up to and including this day, in order."),
    ] = None,
    municipality: Annotated[str | None, typer.Option(help="Only this municipality (slug).")] = None,
) -> None:
    """Do everything due on a day: plan new hires, send invitations, reminders and escalations.

    Safe to run any number of times: a second tick for the same day sends nothing.
    """
    from poflow.runtime import today

    rt = _runtime()
    first = _parse_date(date_, "--date") or today()
    last = _parse_date(until, "--until") or first
    if last < first:
        _fail(f"--until {last} is before --date {first}.")
    if municipality:
        rt.config(municipality)
    from poflow.flows.dispatcher import dispatcher

    with _quiet_prefect():
        if last > first:
            from poflow.flows.simulate import simulate_days

            result = simulate_days(first=first, last=last, municipality=municipality)
            for day, sent in result["sent_per_day"].items():
                if sent:
                    typer.echo(f"{day}: {sent} mail(s) sent")
            typer.echo(
                f"{first} .. {last}: {result['days']} day(s), {result['planned']} "
                f"hire(s) planned, {result['performed']} action(s) performed, "
                f"{result['sent']} mail(s) sent"
            )
            return
        summary = dispatcher(day=first, municipality=municipality)
        counts = summary["municipalities"]
        performed = sum(c["performed"] for c in counts.values())
        planned = sum(c["planned"] for c in counts.values())
        typer.echo(
            f"{first.isoformat()}: {planned} hire(s) planned, {performed} action(s) "
            f"performed, {summary['mail']['sent']} mail(s) sent"
        )


@checkin_app.command("held")
def checkin_held(
    hire_id: Annotated[str, typer.Argument(help="The hire's id, e.g. NH-2027-001")],
    month: Annotated[int, typer.Argument(help="Which check-in: 1, 3 or 8 (months)")],
    by: Annotated[str, typer.Option(help="Who records it (person id); default 'cli'")] = "cli",
    note: Annotated[str | None, typer.Option(help="Optional note (stored, never logged)")] = None,
) -> None:
    """Record that a check-in took place (fallback for the link in the mail)."""
    from poflow.checkins import record_checkin_held
    from poflow.engine import Context
    from poflow.hires import get_hire
    from poflow.runtime import today

    rt = _runtime()
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        ctx = Context(session, rt.config(hire.municipality), rt.settings, today(), actor=by)
        record_checkin_held(ctx, hire_id, month, by=by, note=note)
    typer.echo(f"Check-in after {month} month(s) of {hire_id} recorded as held.")


@hire_app.command("move")
def hire_move(
    hire_id: Annotated[str, typer.Argument(help="The hire's id")],
    start_date: Annotated[str, typer.Option("--start-date", help="New start date YYYY-MM-DD")],
) -> None:
    """Move the start date: open items, check-ins and invitations move (updated .ics)."""
    from poflow.hires import get_hire, move_hire

    rt = _runtime()
    new = _parse_date(start_date, "--start-date")
    assert new is not None
    with rt.factory() as session, session.begin():
        hire = get_hire(session, hire_id)
        move_hire(session, rt.config(hire.municipality), hire_id, new, actor="cli")
    typer.echo(
        f"Start date of {hire_id} moved to {new}; the next tick re-plans and sends "
        "updated invitations."
    )


@hire_app.command("cancel")
def hire_cancel(hire_id: Annotated[str, typer.Argument(help="The hire's id")]) -> None:
    """Cancel a hire: nothing more is sent, sent invitations are withdrawn."""
    from poflow.hires import cancel_hire
    from poflow.runtime import today

    rt = _runtime()
    with rt.factory() as session, session.begin():
        cancel_hire(session, hire_id, actor="cli", today=today())
    typer.echo(f"Hire {hire_id} cancelled; the next tick sends the calendar cancellations.")


@app.command()
def sink(
    folder: Annotated[Path | None, typer.Option(help="Where to write .eml files")] = None,
) -> None:
    """Run the local SMTP sink on loopback; every message becomes an .eml file you can open."""
    from poflow.settings import get_settings
    from poflow.sink import MailSink

    settings = get_settings()
    target = folder or settings.data_dir / "mail"
    with MailSink(target, host="127.0.0.1", port=settings.smtp_port):
        typer.echo(
            f"SMTP sink on 127.0.0.1:{settings.smtp_port}, writing to {target}. Ctrl-C stops."
        )
        with contextlib.suppress(KeyboardInterrupt):
            import time

            while True:
                time.sleep(3600)


@app.command()
def serve() -> None:
    """Start the web app for the links in mails and every scheduled deployment.

    The dispatcher runs on working days at 07:00 Europe/Amsterdam, the onboarding report at
    07:30; the process flows bring their own schedules. Set PREFECT_API_URL to a running Prefect server to see and retry the
    runs in its UI.
    """
    from poflow.flows.serve import serve_deployments

    _runtime()
    serve_deployments()


@app.command()
def demo(
    wait: Annotated[
        bool, typer.Option(help="Keep the Prefect UI and mail sink running at the end until Ctrl-C")
    ] = True,
    days: Annotated[int, typer.Option(help="How many days to simulate")] = 70,
    prefect_port: Annotated[int, typer.Option(help="Port of the local Prefect server/UI")] = 4200,
) -> None:
    """The main job on embedded defaults: example data, simulated days, mails as .eml, the UI.

    Starts a Prefect server and an SMTP sink on loopback, loads examples/, simulates the days
    from four weeks before the first start date, and writes every mail to <data dir>/mail/.
    """
    from poflow.demo import run_demo

    run_demo(wait=wait, days=days, prefect_port=prefect_port)


def main() -> None:
    """Entry point of the console script: known errors become one clear message, exit 1."""
    try:
        app()
    except PoflowError as exc:
        typer.secho(f"{type(exc).__name__}: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
