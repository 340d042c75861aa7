"""Tests of mail rendering: one context gives a Dutch subject, text and HTML (pure, no SMTP)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from poflow._exceptions import TemplateError
from poflow.mail.outbox import Recipient
from poflow.mail.render import render_mail
from poflow.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
TZ = ZoneInfo("Europe/Amsterdam")


def _context(**extra: object) -> dict[str, object]:
    base = {
        "gemeente": "Gemeente Hardenberg",
        "afzender": "P&O Gemeente Hardenberg",
        "po_mailbox": "po@hardenberg.example.nl",
        "ontvanger": Recipient("HB-0004", "Dirk Mulder", "dirk@example.nl"),
        "medewerker": "Lotte Hendriks",
        "leidinggevende": "Dirk Mulder",
        "maand": 1,
        "start": datetime(2027, 3, 1, 10, tzinfo=TZ),
        "einde": datetime(2027, 3, 1, 11, tzinfo=TZ),
        "locatie": "Kamer 2.14",
        "rol": "leidinggevende",
        "bijgewerkt": False,
        "hire_id": "NH-2027-001",
        "maanden": "een maand",
        "titel": "Bijpraatmoment na een maand",
        "eerste_werkdag": date(2027, 2, 1),
        "vandaag": date(2027, 1, 4),
        "begonnen": False,
        "begint_over": "over vier weken",
        "gesprek_over": "over acht weken",
    }
    return {**base, **extra}


def test_chk_2_invitation_renders_dutch_subject_text_and_html_from_one_context():
    """The check-in invitation names the talk, the date in Dutch and the municipality."""
    mail = render_mail(TEMPLATES, "checkins/uitnodiging", _context())
    assert mail.subject == "Uitnodiging: bijpraatmoment na een maand met Lotte Hendriks"
    assert "maandag 1 maart 2027, 10:00–11:00 uur" in mail.text
    assert "maandag 1 maart 2027" in mail.html
    assert "Gemeente Hardenberg" in mail.html
    assert "Gemeente Hardenberg" in mail.text
    assert mail.html.startswith("<!DOCTYPE html>")
    assert 'lang="nl"' in mail.html


def test_a_moved_talk_says_so_in_the_subject():
    """An updated invitation starts its subject with 'Gewijzigd:'."""
    mail = render_mail(TEMPLATES, "checkins/uitnodiging", _context(bijgewerkt=True))
    assert mail.subject.startswith("Gewijzigd: ")


def test_html_is_autoescaped_but_text_is_not():
    """Markup in a name is escaped in HTML and kept literally in plain text."""
    mail = render_mail(
        TEMPLATES, "checkins/uitnodiging", _context(medewerker="<script>alert(1)</script>")
    )
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert "<script>alert(1)</script>" in mail.text


def test_a_missing_variable_is_a_template_error_naming_it():
    """Rendering without 'locatie' fails with TemplateError naming the variable."""
    ctx = _context()
    del ctx["locatie"]
    with pytest.raises(TemplateError, match="locatie"):
        render_mail(TEMPLATES, "checkins/uitnodiging", ctx)


def test_an_unknown_template_is_a_template_error():
    """Asking for a template that does not exist names it."""
    with pytest.raises(TemplateError, match="bestaat_niet"):
        render_mail(TEMPLATES, "bestaat_niet", _context())


def test_every_mail_template_is_a_pair_with_a_subject_block():
    """Each mail template, at the top of templates/mail/ or in a process's folder, has an .html
    twin and defines a subject."""
    folder = TEMPLATES / "mail"
    texts = [t for t in folder.rglob("*.txt") if not t.name.startswith("_")]
    assert len(texts) > 40  # every process's folder is searched, not just the top
    for txt in texts:
        assert txt.with_suffix(".html").is_file(), txt.name
        assert "{% block subject %}" in txt.read_text(encoding="utf-8"), txt.name
    for html in folder.rglob("*.html"):
        assert html.with_suffix(".txt").is_file() or html.name.startswith("_"), html.name


def test_templates_dir_is_the_projects():
    """The default templates folder ships with the project."""
    assert Path(TEMPLATES / "mail" / "_base.html").is_file()
