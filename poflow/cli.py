"""The `poflow` command: import people, run the daily dispatcher, record and change things."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from poflow._exceptions import PoflowError
from poflow.audit_cli import audit_app, seal_after_command
from poflow.auth.cli import users_app
from poflow.cli_support import cli_runtime as _runtime
from poflow.cli_support import fail as _fail
from poflow.cli_support import parse_date as _parse_date
from poflow.dbcopy import copy_command
from poflow.mail.cli import mail_app
from poflow.processes import PROCESSES
from poflow.web.cli import app as web_app

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
config_app = typer.Typer(
    help="The per-municipality configuration in config/.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
db_app.command("copy")(copy_command)
app.add_typer(import_app, name="import")
app.add_typer(config_app, name="config")
app.add_typer(web_app, name="web")
app.add_typer(audit_app, name="audit")
app.add_typer(mail_app, name="mail")
app.add_typer(users_app, name="users")
# Each process brings its own commands (ProcessSpec.cli), in the order of PROCESSES.
for _spec in PROCESSES:
    for _name, _command in _spec.cli:
        if isinstance(_command, typer.Typer):
            app.add_typer(_command, name=_name)
        else:
            app.command(_name)(_command)

DateOpt = Annotated[str | None, typer.Option(help="A day as YYYY-MM-DD.")]


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    # After a command that used the database, its audit rows are sealed at once.
    ctx.call_on_close(seal_after_command)


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
    07:30; the process flows bring their own schedules. Set PREFECT_API_URL to a running Prefect
    server to see and retry the runs in its UI.
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
