"""`poflow demo`: the main job on embedded defaults, for a person to look at.

SQLite in the data dir, a local Prefect server (UI) on loopback, and a local SMTP sink writing
every message as an .eml file. It loads the example staff and hires, then runs the dispatcher
for every day from four weeks before the first start date through the first weeks; three weeks
in, P&O moves a start date, cancels a hire and runs a recruitment round through four eyes
(`poflow.demo_round`, its decisions on the web app's link pages).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from poflow._exceptions import NotFound
from poflow.kernel.secrets import DEVELOPMENT_KEY, exposure
from poflow.kernel.vocabulary import Role
from poflow.settings import PROJECT_ROOT, Settings, get_settings

if TYPE_CHECKING:  # the demo imports the database layer only when it runs
    from sqlalchemy.orm import Session

    from poflow.config import MunicipalityConfig
    from poflow.runtime import Runtime

__all__ = ["DEMO_PASSWORD", "demo_logins_allowed", "run_demo"]

PREFECT_PORT = 4200
# The demo's local logins: only ever made on loopback with the development key (anyone may know
# both this password and that key, so a reachable poflow never gets them).
DEMO_PASSWORD = "demo-wachtwoord-poflow"  # noqa: S105  (the demo's, printed; loopback only)
DEMO_ROLES = (Role.PO_ADVISEUR, Role.LEIDINGGEVENDE, Role.GEMEENTESECRETARIS)
Who = tuple[str, str, str, str]  # person id, name, role (Dutch), municipality name
# The story's changes, made STORY_WEEKS after the first simulated day: a start date moved (after
# the leidinggevende's invitations went out) and a hire cancelled (ONB-5).
STORY_WEEKS = 3
MOVE = ("hardenberg", "NH-2027-003", date(2027, 4, 1))
CANCEL = ("hardenberg", "NH-2027-004")


def demo_logins_allowed(settings: Settings) -> bool:
    """Whether the demo may make logins with DEMO_PASSWORD: the web app and its links on
    loopback, and the development key in use (nobody else can reach such a poflow)."""
    on_loopback = exposure(web_host=settings.web_host, base_url=settings.base_url) is None
    return on_loopback and settings.secret_key.get_secret_value() == DEVELOPMENT_KEY


def _print_logins(settings: Settings, people: list[Who]) -> None:
    """How to log in to the web app, and who is who."""
    if not people:
        print(
            "No demo logins were made (the web app is not on loopback with the development "
            "key); make logins with `poflow users add EMPLOYEE_ID --password-stdin`."
        )
        return
    print(
        f"Log in at {settings.resolved_base_url()}/inloggen with a personeelsnummer and the "
        f"demo password {DEMO_PASSWORD}:"
    )
    for person_id, name, role, municipality in people:
        print(f"  {person_id}  {name}, {role} ({municipality})")


def _print_workspace(settings: Settings, people: list[Who], *, wait: bool) -> None:
    """Where the P&O adviser's workspace pages are (issue 21), and whether they stay up."""
    advisers = [(pid, name) for pid, name, role, _ in people if role == Role.PO_ADVISEUR.label]
    if not advisers:
        return
    base = settings.resolved_base_url()
    who = ", ".join(f"{pid} ({name})" for pid, name in sorted(advisers))
    print(
        f"P&O workspace: log in as a P&O adviser ({who}) at {base}/inloggen, then "
        f"{base}/overzicht (every running hire), {base}/werving (recruitment), {base}/audit "
        f"(audit trail), {base}/mails (every mail with example data) and {base}/mails/uitgaand "
        "(outgoing mail)"
    )
    if not wait:
        print("The web app is not left running (--no-wait): start it with `poflow web`.")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:  # noqa: S310  (http on loopback)
            return resp.status == 200
    except OSError:
        return False


def start_prefect_server(
    home: Path, port: int = PREFECT_PORT
) -> tuple[str, subprocess.Popen | None]:
    """Start a Prefect server on loopback (or reuse one already healthy there)."""
    api = f"http://127.0.0.1:{port}/api"
    if _healthy(api):
        return api, None
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": api,
    }
    log = (home / "server.log").open("ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _healthy(api):
            return api, proc
        if proc.poll() is not None:
            raise RuntimeError(f"The Prefect server stopped at start; see {home / 'server.log'}")
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"The Prefect server did not come up in 120 s; see {home / 'server.log'}")


def run_demo(*, wait: bool = True, days: int = 70, prefect_port: int = PREFECT_PORT) -> None:
    """Run the demo; with `wait`, keep the UI and sink up until Ctrl-C."""
    settings = get_settings()
    data = settings.data_dir
    mail_dir = data / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    (data / "poflow.db").unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        (data / f"poflow.db{suffix}").unlink(missing_ok=True)
    prefect_home = data / "prefect"
    prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(prefect_home))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

    from poflow.sink import MailSink

    print("poflow demo: starting the Prefect server (first start takes up to a minute) ...")
    api, server = start_prefect_server(prefect_home, prefect_port)
    os.environ["PREFECT_API_URL"] = api
    try:
        with MailSink(mail_dir, host="127.0.0.1", port=settings.smtp_port):
            from poflow.web.server import serve_web_in_thread

            web = serve_web_in_thread(settings)  # the round's people decide on its link pages
            try:
                people = _simulate(days, web.url, mail_dir)
                count = len(list(mail_dir.glob("*.eml")))
                print(
                    f"\n{count} mails written to {mail_dir}/ (open the .eml files in "
                    "Thunderbird or Outlook: the invitations show as calendar items)"
                )
                print(f"Prefect UI with the runs: {api.removesuffix('/api')}/runs")
                print("poflow status --date <day> shows the onboarding progress per hire.")
                _print_logins(settings, people)
                _print_workspace(settings, people, wait=wait)
                if wait:
                    print(
                        f"The links in the mails work while this runs: poflow web app on {web.url}"
                    )
                    print("Press Ctrl-C to stop the UI, the web app and the mail sink.")
                    with contextlib.suppress(KeyboardInterrupt):
                        while True:
                            time.sleep(3600)
            finally:
                web.stop()
    finally:
        _flush_prefect_logs()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def _flush_prefect_logs() -> None:
    """Send buffered run logs to the server before it stops."""
    from prefect.logging.handlers import APILogHandler

    with contextlib.suppress(Exception):  # a failed flush must not hide the demo's own result
        APILogHandler().flush()


def _demo_logins(session: Session, configs: dict[str, MunicipalityConfig]) -> list[Who]:
    """Local logins with DEMO_PASSWORD for the first P&O adviser, leidinggevende and
    gemeentesecretaris of each municipality (audited as made by the demo)."""
    from sqlalchemy import select

    from poflow.auth.accounts import add_login
    from poflow.db.models import Person, PersonRole

    people: list[Who] = []
    for slug, cfg in sorted(configs.items()):
        chosen: set[str] = set()
        for role in DEMO_ROLES:
            person = session.scalars(
                select(Person)
                .join(PersonRole)
                .where(PersonRole.municipality == slug, PersonRole.role == role)
                .where(Person.id.not_in(chosen))
                .order_by(Person.id)
            ).first()
            if person is None:
                continue
            chosen.add(person.id)
            add_login(session, person.id, DEMO_PASSWORD, totp=False, actor="demo")
            people.append((person.id, person.full_name, role.label, cfg.name))
    return people


def _simulate(days: int, web_url: str, mail_dir: Path) -> list[Who]:
    from poflow.db.session import upgrade_schema
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import get_runtime, prepare_environment

    prepare_environment()
    rt = get_runtime()
    upgrade_schema(rt.settings.resolved_database_url())
    examples = PROJECT_ROOT / "examples"
    with rt.factory() as session, session.begin():
        staff = import_staff(session, examples / "staff.csv", rt.configs)
        hires = import_hires(session, examples / "hires.csv", rt.configs)
        allowed = demo_logins_allowed(rt.settings)
        people = _demo_logins(session, rt.configs) if allowed else []
    names = ", ".join(cfg.name for _, cfg in sorted(rt.configs.items()))
    print(f"Loaded {staff.created} staff and {hires.created} hires from {examples}/ ({names})")
    from sqlalchemy import func, select

    from poflow.db.models import Hire

    with rt.factory() as session:
        first_start = session.scalar(select(func.min(Hire.start_date)))
    if first_start is None:
        raise NotFound(f"No hires in {examples}/: nothing to demonstrate")
    first = first_start - timedelta(weeks=4)
    first -= timedelta(days=first.weekday())  # a Monday
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from poflow.flows.dispatcher import dispatcher
    from poflow.flows.onboarding import onboarding_report
    from poflow.flows.simulate import simulate_days

    begin, last = first, first + timedelta(days=days - 1)
    changes = first + timedelta(weeks=STORY_WEEKS)  # P&O moves one start date, cancels another
    print(f"Simulating {first} .. {last} (each day: plan, perform, send) ...")
    sent = 0
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        if changes < last:
            sent += simulate_days(first=first, last=changes - timedelta(days=1))["sent"]
            _move_and_cancel(rt, changes)
            if people:  # the round's decisions need the demo logins
                from poflow.demo_round import run_round

                people.append(
                    run_round(
                        rt,
                        changes,
                        web_url=web_url,
                        mail_dir=mail_dir,
                        password=DEMO_PASSWORD,
                        say=print,
                    )
                )
            else:
                print("No recruitment round: its decisions need the demo logins.")
            first = changes
        sent += simulate_days(first=first, last=last - timedelta(days=1))["sent"]
        # The last day runs as the daily dispatcher does, so its run shows as one.
        sent += dispatcher(day=last)["mail"]["sent"]
        onboarding_report(day=last)  # ONB-4: the progress artifacts in the Prefect UI
    print(f"Simulated {begin} .. {last}: {sent} mails sent")
    return people


def _move_and_cancel(rt: Runtime, day: date) -> None:
    """On `day`, P&O moves one example hire's start date and cancels another's (ONB-5); the
    day's run tells everyone already told."""
    from poflow.hires.services import cancel_hire, move_hire

    (slug, moved, new_start), (_, cancelled) = MOVE, CANCEL
    with rt.factory() as session, session.begin():
        po = _first_with_role(session, slug, Role.PO_ADVISEUR)
        hire = move_hire(session, rt.config(slug), moved, new_start, actor=po, today=day)
        cancel_hire(session, cancelled, actor=po, today=day)
        print(
            f"{day}: P&O ({po}) moves the start date of {moved} to "
            f"{hire.first_working_day} and cancels {cancelled}"
        )


def _first_with_role(session: Session, slug: str, role: Role) -> str:
    from sqlalchemy import select

    from poflow.db.models import PersonRole

    found = session.scalar(
        select(PersonRole.person_id)
        .where(PersonRole.municipality == slug, PersonRole.role == role)
        .order_by(PersonRole.person_id)
    )
    if found is None:
        raise NotFound(f"No {role.value} in {slug} among the example staff")
    return found
