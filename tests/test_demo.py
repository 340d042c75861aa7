"""Tests of `poflow demo`, the main job: it leaves Dutch .eml mails with invitations to open."""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import subprocess
import sys
from datetime import date
from email.utils import parsedate_to_datetime
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
    web_port = free_port()  # the web app the round's people decide on (not a fixed port)
    env = {
        **os.environ,
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_PORT": str(free_port()),
        "POFLOW_WEB_PORT": str(web_port),
    }
    for name in ("POFLOW_DATABASE_URL", "POFLOW_BASE_URL", "POFLOW_WEB_HOST", "POFLOW_SECRET_KEY"):
        env.pop(name, None)
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
    (tmp_path / "stdout.txt").write_text(done.stdout)
    assert "Prefect UI with the runs: http://127.0.0.1:" in done.stdout
    # How to log in (loopback, development key): the login page, the password, who is who.
    assert (
        f"Log in at http://127.0.0.1:{web_port}/inloggen with a personeelsnummer and the demo "
        f"password {DEMO_PASSWORD}:" in done.stdout
    )
    assert "  HB-0002  Bram de Wit, P&O-adviseur (Gemeente Hardenberg)" in done.stdout
    assert "  HB-0004  Dirk Mulder, leidinggevende (Gemeente Hardenberg)" in done.stdout
    assert "  HB-0001  Anouk Verbeek, gemeentesecretaris (Gemeente Hardenberg)" in done.stdout
    assert (
        "  HB-0005  Esra Yilmaz, collega in de wervingsronde (Gemeente Hardenberg)" in done.stdout
    )
    # The P&O workspace (issue 21): where to go once logged in, and that --no-wait stops it.
    base = f"http://127.0.0.1:{web_port}"
    assert (
        "P&O workspace: log in as a P&O adviser (BO-0002 (Sander Hoekstra), HB-0002 (Bram de "
        f"Wit), KB-0002 (Youssef Bakkali)) at {base}/inloggen, then {base}/overzicht (every "
        f"running hire), {base}/werving (recruitment), {base}/audit (audit trail), {base}/mails "
        f"(every mail with example data) and {base}/mails/uitgaand (outgoing mail)" in done.stdout
    )
    assert "The web app is not left running (--no-wait)" in done.stdout
    with sqlite3.connect(tmp_path / "data" / "poflow.db") as db:
        logins = db.execute("SELECT person_id, method FROM login ORDER BY person_id").fetchall()
    assert [person for person, _ in logins] == [
        f"{prefix}-000{n}"
        for prefix in ("BO", "HB", "KB")
        for n in ((1, 2, 4, 5) if prefix == "HB" else (1, 2, 3))  # HB-0005: the round's colleague
    ]
    # A recruitment round through the four-eyes terms talk (REC-9), one line per step; the two
    # decisions taken on the web app's link pages by the two asked people, each logged in.
    round_lines = [line for line in done.stdout.splitlines() if "round WR-2027-0001" in line]
    assert len(round_lines) == 9, round_lines
    assert round_lines[-1].endswith("the round is at advice")
    with sqlite3.connect(tmp_path / "data" / "poflow.db") as db:
        (state,) = db.execute("SELECT state FROM rec_round").fetchone()
        terms = db.execute(
            "SELECT actor, json_extract(detail, '$.role') FROM audit "
            "WHERE action = 'approval.approved' AND entity_type = 'rec_terms' ORDER BY id"
        ).fetchall()
        sessions = {
            actor
            for (actor,) in db.execute("SELECT actor FROM audit WHERE action = 'session.started'")
        }
        confirmed = db.execute(  # REC-5: each selection confirmed by the asked P&O adviser
            "SELECT actor FROM audit WHERE action = 'round.selection_confirmed' ORDER BY id"
        ).fetchall()
    assert confirmed == [("HB-0002",), ("HB-0002",)]
    assert state == "advice"
    assert terms == [("HB-0004", "leidinggevende"), ("HB-0002", "po_adviseur")]
    assert {"HB-0002", "HB-0004"} <= sessions
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
    # All three example municipalities, a move and a cancellation (ONB-5), each told that day.
    senders = {str(m["From"]).rpartition("@")[2].rstrip(">") for m in messages}
    assert senders == {
        f"{slug}.example.nl" for slug in ("borger-odoorn", "hardenberg", "kaag-en-braassem")
    }
    assert (
        "2027-01-25: P&O (HB-0002) moves the start date of NH-2027-003 to 2027-04-01" in done.stdout
    )
    subjects = [(str(m["Subject"]), m) for m in messages]
    moved = [m for s, m in subjects if s.startswith("Gewijzigd: eerste werkdag van Noor Bakker")]
    cancelled = [m for s, m in subjects if "Olaf Meijer" in s and "gaat niet door" in s.lower()]
    assert moved
    assert cancelled
    # A simulated day dates its mails: Date is the day of 2027 the mail was sent on.
    assert {parsedate_to_datetime(str(m["Date"])).date() for m in moved + cancelled} == {
        date(2027, 1, 25)
    }
    assert all(parsedate_to_datetime(str(m["Date"])).year == 2027 for m in messages)
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
