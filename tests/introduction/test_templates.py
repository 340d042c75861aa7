"""Tests of the introduction programme's mail templates: every pair renders, HTML is escaped."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from poflow.mail.outbox import Recipient
from poflow.mail.render import render_mail
from poflow.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
START = datetime(2027, 2, 22, 16, tzinfo=ZoneInfo("Europe/Amsterdam"))
BASE = {
    "gemeente": "Gemeente Hardenberg",
    "afzender": "P&O Gemeente Hardenberg",
    "po_mailbox": "po@hardenberg.example.nl",
    "vandaag": date(2027, 2, 8),
    "ontvanger": Recipient("NH-1", "<b>Sanne</b> de Vries", "sanne@example.org", "<b>Sanne</b>"),
    "base_url": "http://127.0.0.1:8765",
}
CONTEXTS = {
    "introduction/sessie_uitnodiging": {
        "titel": "Startbijeenkomst",
        "start": START,
        "einde": START,
        "locatie": "Raadzaal",
        "sessie_id": 1,
        "herkansing": True,
        "link_ja": "http://x/a/1",
        "link_nee": "http://x/a/2",
    },
    "introduction/sessie_vol": {
        "titel": "Startbijeenkomst",
        "start": START,
        "einde": START,
        "locatie": "Raadzaal",
        "sessie_id": 1,
        "volgende": date(2027, 4, 5),
    },
    "introduction/sessie_herinnering": {
        "titel": "Startbijeenkomst",
        "start": START,
        "einde": START,
        "locatie": "Raadzaal",
        "sessie_id": 1,
        "link_nee": "http://x",
    },
    "introduction/sessie_gastheer": {
        "titel": "Startbijeenkomst",
        "start": START,
        "einde": START,
        "locatie": "Raadzaal",
        "sessie_id": 1,
        "deelnemers": ["A", "B"],
    },
    "introduction/aanwezigheid": {
        "titel": "Startbijeenkomst",
        "start": START,
        "einde": START,
        "locatie": "Raadzaal",
        "sessie_id": 1,
        "rijen": [
            {
                "naam": "A",
                "hire_id": "NH-1",
                "status": "invited",
                "link_aanwezig": "http://x/1",
                "link_afwezig": "http://x/2",
            }
        ],
    },
    "introduction/welkom": {
        "onderdelen": [
            {"titel": "Selfservice", "lijn": "modules", "omschrijving": "", "link": None}
        ],
        "einde": date(2027, 8, 2),
        "verplicht": True,
        "light": False,
    },
    "introduction/elearning_herinnering": {
        "titel": "E-learning",
        "deadline": date(2027, 8, 2),
        "link": "http://x",
    },
    "introduction/elearning_te_laat": {
        "rol": "medewerker",
        "medewerker": "A",
        "deadline": date(2027, 8, 2),
        "modules": [{"titel": "E-learning", "link": "http://x"}],
    },
    "introduction/rolitem": {"titel": "Cursus", "deadline": date(2027, 5, 3), "link": "http://x"},
    "introduction/gesprek_uitnodiging": {
        "titel": "Startontwikkelgesprek",
        "medewerker": "A",
        "rol": "leidinggevende",
        "tma": False,
        "start": START,
        "einde": START,
        "link": "http://x",
        "locatie": "Kamer",
        "bijgewerkt": True,
    },
    "introduction/gesprek_herinnering": {
        "titel": "TMA",
        "medewerker": "A",
        "rol": "medewerker",
        "tma": True,
        "start": START,
        "einde": START,
        "link": None,
        "locatie": "Kamer",
        "bijgewerkt": False,
    },
    "introduction/light_aanbod": {
        "medewerker": "A",
        "link": "http://x",
        "onderdelen": ["Selfservice"],
    },
    "introduction/bewijs_van_deelname": {
        "onderdeel": "Selfservice",
        "datum": date(2027, 3, 1),
        "nummer": "BVD-NH-1-selfservice",
    },
}


def test_int_3_every_introduction_template_pair_is_covered_here():
    """INT-3..5: each template pair in mail/introduction/ has a context in this test."""
    folder = TEMPLATES / "mail" / "introduction"
    on_disk = {f"introduction/{p.stem}" for p in folder.glob("*.txt")}
    assert on_disk == set(CONTEXTS)
    assert on_disk == {f"introduction/{p.stem}" for p in folder.glob("*.html")}


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_int_3_each_mail_renders_a_dutch_subject_text_and_escaped_html(name):
    """INT-3..5: subject and both bodies render from one context; a name is escaped in HTML."""
    mail = render_mail(TEMPLATES, name, {**BASE, **CONTEXTS[name]})
    assert mail.subject
    assert "\n" not in mail.subject
    assert "Met vriendelijke groet" in mail.text
    assert "<b>Sanne</b>" not in mail.html
    assert "&lt;b&gt;Sanne&lt;/b&gt;" in mail.html
