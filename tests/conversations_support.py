"""Helpers for the conversation-cycle tests: fictional staff, hires, link use, mail lookup."""

from __future__ import annotations

import re
import shutil
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from poflow.db.models import Hire, Person, PersonRole
from poflow.engine import Context
from poflow.links import claim_link, verify_token

KB = "kaag-en-braassem"
STAFF = [  # (id, given, family, roles) - fictional people
    ("KB-9001", "Wendy", "Gerritsen", ("gemeentesecretaris",)),
    ("KB-9002", "Pieter", "Hoekstra", ("po_adviseur",)),
    ("KB-9003", "Sanne", "Brouwer", ("leidinggevende", "mt_lid")),
    ("KB-9004", "Tom", "Vermeulen", ("medewerker",)),
    ("KB-9005", "Ruud", "van Leeuwen", ("medewerker",)),
]
HIRE = "NH-KB-9001"
MOTIVATION = "Zeer betrokken bij het project Dorpskern; plant werk nog te krap."
LINK = re.compile(r"/a/([A-Za-z0-9_\-.]+)")


@pytest.fixture(scope="module")
def ges_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per module (`alembic upgrade heads`), copied by each test."""
    from poflow.db.session import upgrade_schema

    path = tmp_path_factory.mktemp("ges-template") / "poflow.db"
    upgrade_schema(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_db_url(ges_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the migrated SQLite template for one test."""
    target = tmp_path / "poflow.db"
    shutil.copyfile(ges_sqlite_template, target)
    return f"sqlite:///{target}"


def add_kb_staff(
    rt: Any,
    *,
    hire_start: date | None = date(2027, 3, 1),
    contract: str = "vast",
    months: int | None = None,
) -> None:
    """Kaag en Braassem staff (fictional) and, optionally, one new hire managed by KB-9003."""
    with rt.factory() as session, session.begin():
        for pid, given, family, roles in STAFF:
            person = Person(
                id=pid,
                municipality=KB,
                given_name=given,
                family_name=family,
                email=f"{given.lower()}.{pid.lower()}@kaag-en-braassem.example.nl",
                team="Ruimte",
            )
            person.roles = [PersonRole(role=r, municipality=KB) for r in roles]
            session.add(person)
        if hire_start is not None:
            session.add(
                Hire(
                    id=HIRE,
                    municipality=KB,
                    given_name="Yara",
                    family_name="Jacobs",
                    private_email="yara.jacobs@example.org",
                    work_email="yara.jacobs@kaag-en-braassem.example.nl",
                    team="Ruimte",
                    function="Beleidsmedewerker ruimte",
                    manager_id="KB-9003",
                    buddy_id="KB-9004",
                    contract_type=contract,
                    contract_months=months,
                    start_date=hire_start,
                    first_working_day=rt.config(KB).calendar.first_working_day(hire_start),
                )
            )


def context(rt: Any, session: Any, day: date, *, slug: str = KB, actor: str = "system") -> Context:
    """An engine Context as the dispatcher or the web app builds one."""
    return rt.context(session, slug, day, actor=actor)


def mails(smtp: Any, subject_part: str, to: str | None = None) -> list[EmailMessage]:
    """The received messages whose subject contains `subject_part` (and sent to `to`)."""
    return [
        m
        for m in smtp.messages
        if subject_part in str(m["Subject"]) and (to is None or to in str(m["To"]))
    ]


def text_of(msg: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def ics_of(msg: EmailMessage) -> str | None:
    """The text/calendar alternative of a message, if any."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content()
    return None


def use_link(rt: Any, msg: EmailMessage, day: date, form: dict[str, str] | None = None) -> str:
    """Follow the link in `msg` as its person would: verify, claim, perform; returns the message."""
    token = LINK.search(text_of(msg))
    assert token is not None, "no action link in the mail"
    secret = rt.settings.secret_key.get_secret_value()
    with rt.factory() as session, session.begin():
        row = verify_token(session, secret=secret, token=token.group(1))
        claim_link(session, row)
        ctx = rt.context(session, row.municipality, day, actor=row.subject_id)
        return ctx.registry.link_actions[row.action].perform(ctx, row, form or {})


def scores_form(
    prestatie: str = "goed", potentieel: str = "voldoende", kernwaarden: str = "goed"
) -> dict[str, str]:
    """A filled-in appraisal form."""
    return {
        "prestatie": prestatie,
        "prestatie_motivatie": MOTIVATION,
        "potentieel": potentieel,
        "potentieel_motivatie": "Kan doorgroeien naar senior.",
        "kernwaarden": kernwaarden,
        "kernwaarden_motivatie": "Werkt open en integer.",
    }


def plan_cycle_only(rt: Any, day: date, *, slug: str = KB) -> None:
    """Plan new or moved hires with the conversations planner alone (the other processes'
    planners stay out, which keeps these simulations fast); then mark them planned."""
    from sqlalchemy import select

    from poflow.conversations.planner import plan_hire_cycle

    with rt.factory() as session, session.begin():
        ctx = context(rt, session, day, slug=slug)
        for hire in session.scalars(
            select(Hire).where(Hire.municipality == slug, Hire.planned_version < Hire.version)
        ):
            plan_hire_cycle(ctx, hire)
            hire.planned_version = hire.version


@pytest.fixture
def sqlite_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_db_url: str, smtp: Any
) -> Any:
    """A poflow runtime on a SQLite copy and the test's SMTP server (the database is not the
    subject of the test); like conftest's `runtime` without the PostgreSQL run."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    env = {
        "POFLOW_DATABASE_URL": sqlite_db_url,
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    yield get_runtime()
    get_settings.cache_clear()
    _runtime.cache_clear()
