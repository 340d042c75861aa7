"""Tests of `poflow demo`, the main job: it leaves Dutch .eml mails with invitations to open."""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from poflow.demo import DEMO_PASSWORD, demo_logins_allowed
from poflow.settings import Settings
from tests.conftest import free_port

pytestmark = pytest.mark.prefect_server
ROOT = Path(__file__).resolve().parent.parent


def test_demo_writes_dutch_mails_with_calendar_invitations(tmp_path: Path):
    """The demo loads the examples, simulates the days and leaves .eml files a person can open."""
    env = {
        **os.environ,
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_PORT": str(free_port()),
    }
    env.pop("POFLOW_DATABASE_URL", None)
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "poflow",
            "demo",
            "--no-wait",
            "--days",
            "35",
            "--prefect-port",
            str(free_port()),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Prefect UI with the runs: http://127.0.0.1:" in done.stdout
    # How to log in (loopback, development key): the login page, the password, who is who.
    assert (
        f"Log in at http://127.0.0.1:8765/inloggen with a personeelsnummer and the demo "
        f"password {DEMO_PASSWORD}:" in done.stdout
    )
    assert "  HB-0002  Bram de Wit, P&O-adviseur (Gemeente Hardenberg)" in done.stdout
    assert "  HB-0004  Dirk Mulder, leidinggevende (Gemeente Hardenberg)" in done.stdout
    assert "  HB-0001  Anouk Verbeek, gemeentesecretaris (Gemeente Hardenberg)" in done.stdout
    # The P&O workspace (issue 21): where to go once logged in, and that --no-wait stops it.
    assert (
        "P&O workspace: log in as HB-0002 (Bram de Wit), then http://127.0.0.1:8765/audit "
        "(audit trail), http://127.0.0.1:8765/mails (every mail with example data) and "
        "http://127.0.0.1:8765/mails/uitgaand (outgoing mail)" in done.stdout
    )
    assert "The web app is not left running (--no-wait)" in done.stdout
    with sqlite3.connect(tmp_path / "data" / "poflow.db") as db:
        logins = db.execute("SELECT person_id, method FROM login ORDER BY person_id").fetchall()
    assert logins == [("HB-0001", "local"), ("HB-0002", "local"), ("HB-0004", "local")]
    files = sorted((tmp_path / "data" / "mail").glob("*.eml"))
    assert files, done.stdout
    messages = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files
    ]
    invitation = next(
        m
        for m in messages
        if "Uitnodiging: bijpraatmoment na een maand met Dirk Mulder" in str(m["Subject"])
        and "lotte.hendriks@hardenberg.example.nl" in str(m["To"])
    )
    text = invitation.get_body(("plain",)).get_content()
    assert "Beste Lotte," in text
    assert "maandag 1 maart 2027" in text
    calendar_part = next(p for p in invitation.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    event = next(iter(icalendar.Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")))
    assert str(event["ORGANIZER"]) == "mailto:po@hardenberg.example.nl"
    assert (tmp_path / "data" / "poflow.db").is_file()


@pytest.mark.parametrize(
    ("settings", "allowed"),
    [
        ({}, True),
        ({"web_host": "0.0.0.0"}, False),  # noqa: S104  (the case refused: every address)
        ({"base_url": "https://poflow.hardenberg.example.nl"}, False),
        ({"secret_key": "een-eigen-sleutel-van-minstens-32-tekens-lang"}, False),
    ],
)
def test_the_demo_makes_logins_only_on_loopback_with_the_development_key(
    settings: dict[str, str], allowed: bool, monkeypatch: pytest.MonkeyPatch
):
    """The demo's known password is given only where nobody else can reach poflow."""
    for name in ("POFLOW_WEB_HOST", "POFLOW_BASE_URL", "POFLOW_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert demo_logins_allowed(Settings(**settings)) is allowed
