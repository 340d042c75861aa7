"""Tests of `poflow demo`, the main job: it leaves Dutch .eml mails with invitations to open."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

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
