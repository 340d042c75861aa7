"""The `poflow` command: import people, run the daily dispatcher, record and change things.

The sub-commands of the processes and of mail, audit, web and db are imported when they run
(`poflow.cli_lazy`): `poflow --help` imports none of SQLAlchemy, Prefect or the processes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer

from poflow._exceptions import PoflowError
from poflow.cli_lazy import Lazy, LazyGroup
from poflow.cli_support import cli_runtime as _runtime
from poflow.cli_support import fail as _fail
from poflow.cli_support import operator
from poflow.cli_support import parse_date as _parse_date
from poflow.kernel.calendar import today as _today


class _Poflow(LazyGroup):
    # Process commands in the order of PROCESSES (tests/test_cli.py checks this table).
    table: ClassVar[Mapping[str, Lazy]] = {
        "db": Lazy("poflow.db.cli", "The database: create or upgrade its tables.", "db_app"),
        "web": Lazy(
            "poflow.web.cli", "Serve the Dutch pages behind the links in poflow's mails.", "app"
        ),
        "audit": Lazy(
            "poflow.audit_cli",
            "The audit log (X-4): each municipality's rows form a hash chain; verify finds any "
            "sealed row that was changed, deleted or inserted back-dated, and any approval or "
            "role without its audit row.",
            "audit_app",
        ),
        "mail": Lazy(
            "poflow.mail.cli",
            "The mail outbox: messages that could not be composed or delivered are parked (P&O "
            "gets a mail about each); list them and queue them again after a fix.",
            "mail_app",
        ),
        "mails": Lazy(
            "poflow.gallery",
            "The mails poflow sends: render every template of a municipality with example data.",
            "mails_app",
        ),
        "users": Lazy(
            "poflow.auth.cli",
            "Local logins of the people in the staff register: one per person, an argon2 "
            "password hash and an optional TOTP second factor (authenticator app).",
            "users_app",
        ),
        "login": Lazy(
            "poflow.auth.cli_login",
            "Log in on the command line; commands then act as you (one session per database).",
            "login_cmd",
        ),
        "logout": Lazy(
            "poflow.auth.cli_login",
            "Log out on the command line: end the session and remove its file.",
            "logout_cmd",
        ),
        "whoami": Lazy(
            "poflow.auth.cli_login",
            "Show who is logged in on the command line for this database (exit 1 when nobody).",
            "whoami_cmd",
        ),
        "checkin": Lazy("poflow.checkins.process", "Check-ins at 1, 3 and 8 months (CHK)."),
        "hire": Lazy(
            "poflow.hires.process", "Change a new hire: move the start date or cancel (ONB-5)."
        ),
        "onboarding": Lazy(
            "poflow.onboarding.process", "Onboarding checklist and buddy (ONB, BUD)."
        ),
        "status": Lazy(
            "poflow.onboarding.process",
            "Show onboarding progress per new colleague: done/open/overdue per phase (ONB-4).",
        ),
        "cycle": Lazy(
            "poflow.conversations.process",
            "The conversation cycle: richtgesprek and beoordelingsgesprek (GES).",
        ),
        "appraisal": Lazy(
            "poflow.conversations.process",
            "Appraisals: extra appraisals and legal-status decisions (GES-5).",
        ),
        "intro": Lazy(
            "poflow.introduction.process",
            "The introduction programme (INT): enrol, sessions, attendance, e-learning.",
        ),
        "portfolio": Lazy(
            "poflow.introduction.process", "Show a new employee's introduction portfolio (INT-4)."
        ),
        "recruitment": Lazy(
            "poflow.recruitment.process", "Recruitment rounds (werving en selectie, REC-1..13)."
        ),
        "coach": Lazy(
            "poflow.coaching.process",
            "Career coaching (LBC): the coach's confidential records and the yearly report "
            "(counts only).",
        ),
    }


app = typer.Typer(
    cls=_Poflow,
    help="poflow: workflow automation for P&O of a Dutch municipality. It runs recruitment "
    "rounds, onboarding, check-ins, the introduction programme, the conversation cycle and "
    "career-coaching records: it plans every step, sends the right Dutch mail with calendar "
    "invitation on the right working day, records state, reminds and escalates. Settings come "
    "from POFLOW_* environment variables; each municipality has a folder in config/.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(
    help="Read staff and hires from CSV or .xlsx (all rows or none).", no_args_is_help=True
)
config_app = typer.Typer(
    help="The per-municipality configuration in config/.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
app.add_typer(config_app, name="config")

DateOpt = Annotated[str | None, typer.Option(help="A day as YYYY-MM-DD.")]


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    # After a command that used the database, its audit rows are sealed at once.
    ctx.call_on_close(_seal)


def _seal() -> None:
    from poflow.audit_cli import seal_after_command  # SQLAlchemy: only once a command ran

    seal_after_command()


@config_app.command("check")
def config_check() -> None:
    """Load and validate every municipality's configuration files and own mail templates
    (config/<gemeente>/templates/); print what was found."""
    from poflow.mail.overrides import check_overrides

    try:
        rt = _runtime()  # refuses a wrong file or template override, naming it
    except PoflowError as exc:  # as main() says it, also when the app is invoked directly
        _fail(f"{type(exc).__name__}: {exc}")
    for slug, cfg in rt.configs.items():
        own = check_overrides(cfg.own_templates, rt.settings.templates_dir)
        templates = f", {own} own template(s)" if own else ""
        typer.echo(f"{slug}: {cfg.name} ({len(cfg.sections)} sections{templates}) OK")


def _import(kind: str, file: Path, *, dry_run: bool = False, **checks: Any) -> None:
    from rich.progress import Progress

    if dry_run:
        _dry_run(kind, file, **checks)
        return

    from poflow.engine import Context
    from poflow.importer import import_hires, import_staff
    from poflow.kernel.calendar import today

    rt = _runtime()
    who = operator()
    total = (
        max(sum(1 for _ in file.open(encoding="utf-8", errors="ignore")) - 1, 1)
        if file.suffix.lower() == ".csv" and file.is_file()
        else None
    )
    with Progress(transient=True, disable=total is None or total < 500) as bar:
        job = bar.add_task(f"import {kind}", total=total)
        with rt.factory() as session, session.begin():

            def advance(n: int) -> None:
                bar.advance(job, n)

            def context(slug: str) -> Context:
                return rt.context(session, slug, today(), actor=who)

            if kind == "staff":
                result = import_staff(
                    session, file, rt.configs, actor=who, progress=advance, contexts=context
                )
            else:
                result = import_hires(
                    session, file, rt.configs, actor=who, progress=advance, **checks
                )
    typer.echo(
        f"Imported {kind} from {file}: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
    if result.waiting:
        typer.echo(
            f"{result.waiting} role grant(s) await confirmation by a second person (another "
            "P&O adviser or the gemeentesecretaris, logged in, on the review page): until then "
            "those roles are not in effect."
        )


def _dry_run(kind: str, file: Path, **checks: Any) -> None:
    """Print what importing `file` would do per row, and every problem; write nothing."""
    from poflow.importer import HIRE_COLUMNS, STAFF_COLUMNS, plan_hires, plan_staff
    from poflow.rows import RowOutcome, read_rows

    rt = _runtime()
    with rt.factory() as session:  # no transaction is committed: nothing is written
        if kind == "staff":
            rows = read_rows(file, STAFF_COLUMNS)
            plan = plan_staff(session, rows, rt.configs, source=str(file))
        else:
            rows = read_rows(file, HIRE_COLUMNS)
            plan = plan_hires(session, rows, rt.configs, source=str(file), **checks)
        session.rollback()
    for line in plan.lines():
        typer.echo(line)
    counts = ", ".join(f"{plan.count(o)} {o.value}" for o in RowOutcome)
    typer.echo(f"Dry run of {kind} from {file}: {counts}; nothing was written.")
    if plan.problems:
        _fail(f"Importing {file} would be refused: {len(plan.problems)} problem(s) above.")


DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Only show what each row would do, and every problem; write nothing."
    ),
]


@import_app.command("staff")
def import_staff_cmd(
    file: Annotated[Path, typer.Argument(help="staff.csv or .xlsx")], dry_run: DryRun = False
) -> None:
    """Import staff and their roles (columns as in shared/examples/staff.csv)."""
    _import("staff", file, dry_run=dry_run)


@import_app.command("hires")
def import_hires_cmd(
    file: Annotated[Path, typer.Argument(help="hires.csv or .xlsx")],
    allow_non_working_day: Annotated[
        bool,
        typer.Option(help="Accept a start date on a weekend, CAO holiday or closing day."),
    ] = False,
    allow_past: Annotated[bool, typer.Option(help="Accept a start date before today.")] = False,
    dry_run: DryRun = False,
) -> None:
    """Import new hires (columns as in shared/examples/hires.csv); staff must be imported first.

    Dates are YYYY-MM-DD or D-M-YYYY (1-4-2027, 01-04-2027). A new hire's start date on a day
    that is not worked, or before today, is refused unless allowed by the options."""
    _import(
        "hires",
        file,
        dry_run=dry_run,
        today=_today(),
        allow_non_working_day=allow_non_working_day,
        allow_past=allow_past,
    )


def _quiet_prefect() -> contextlib.AbstractContextManager[Any]:
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )

    if PREFECT_API_URL.value():
        # A Prefect server outlives this process: the tick's run keeps its heartbeat, so the
        # server sets it Crashed when the tick is killed (flows/crashes.py).
        return contextlib.nullcontext()
    # The ephemeral API dies with this process: nothing could watch a heartbeat (~0.5 s a run).
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
    from poflow.ticking import NO_PREFECT, prefect_start_wait, temporary_server_failed

    try:
        with prefect_start_wait(rt.settings.prefect_start_timeout_s), _quiet_prefect():
            _tick_with_prefect(first, last, municipality)
    except RuntimeError as exc:
        if not temporary_server_failed(exc):
            raise
        from poflow.runtime import run_days

        typer.echo(NO_PREFECT.format(s=rt.settings.prefect_start_timeout_s), err=True)
        days = run_days(rt, first, last, municipality=municipality)
        typer.echo(
            f"{first} .. {last}: {len(days)} day(s), {sum(d['planned'] for d in days)} "
            f"hire(s) planned, {sum(d['performed'] for d in days)} action(s) performed, "
            f"{sum(d['sent'] for d in days)} mail(s) sent"
        )


def _tick_with_prefect(first: date, last: date, municipality: str | None) -> None:
    """The tick's days as Prefect flow runs: one dispatcher run, or a simulation of several."""
    from poflow.flows.dispatcher import dispatcher

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
def serve(
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Web app worker processes; default one per CPU"),
    ] = None,
) -> None:
    """Start the web app for the links in mails and every scheduled deployment.

    Each process's day runs on the CAO working days in Europe/Amsterdam, in the day's order from
    07:00 (onboarding, hires, check-ins, introduction, conversations, recruitment), the
    onboarding report at 07:30; other process flows bring their own schedules. Set
    PREFECT_API_URL to a running Prefect server to see and retry the runs in its UI.
    """
    from poflow.flows.serve import serve_deployments

    _runtime()
    serve_deployments(workers)


@app.command()
def deploy(
    pool: Annotated[
        str, typer.Option(help="The Prefect work pool (type process; made if missing)")
    ],
) -> None:
    """Register every deployment in a Prefect work pool, for `prefect worker start` on other hosts.

    Needs PREFECT_API_URL (the Prefect server). Use this instead of `poflow serve`, not beside it:
    both would start the scheduled runs. See docs/deploy.md.
    """
    from poflow.flows.pool import deploy_to_pool

    _runtime()
    for name, deployment_id in deploy_to_pool(pool):
        typer.echo(f"{name}: {deployment_id} in work pool {pool}")


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
    On loopback with the development key it gives a few example people a login with a demo
    password and prints how to log in.
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
