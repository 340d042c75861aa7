"""Every mail of every municipality, rendered with the gallery's example data, follows the house
rules for Dutch text (issue 22, items 5 and 6): one salutation, singular and plural right, one
date style, no English, and no terminal command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from poflow.cli import _Poflow
from poflow.gallery import examples, render_examples
from poflow.runtime import get_runtime

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
ENGLISH = ("need-to-know", "light", "feedback", "deadline", "reminder", "meeting", "check-in")
COMMANDS = re.compile(r"\bpoflow\s+(" + "|".join(map(re.escape, _Poflow.table)) + r")\b")
NUMERIC_DATE = re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b")
# The one exception to the salutation rule: the college (a governing body) is addressed formally.
FORMAL = {"recruitment/rec_aanstellingsadvies": "Geacht college,"}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], Any]:
    """Every template of every example municipality rendered with its example."""
    rt = get_runtime()
    return {
        (slug, name): found
        for slug, cfg in rt.configs.items()
        for name, found in render_examples(cfg, rt.settings).items()
    }


def _texts(mail: Any) -> list[str]:
    return [mail.subject, mail.text, re.sub(r"<[^>]+>", " ", mail.html)]


def test_x_5_every_template_of_every_municipality_has_an_example_and_renders(rendered):
    """The gallery renders every shipped template for each municipality."""
    rt = get_runtime()
    _, found = examples(rt.settings.templates_dir)
    assert {name for _, name in rendered} == set(found)
    assert len(rendered) == len(found) * len(rt.configs)


def test_every_mail_greets_by_the_one_salutation_rule(rendered):
    """A person is greeted by given name ("Beste Sanne,"), a team mailbox as colleagues."""
    rt = get_runtime()
    _, found = examples(rt.settings.templates_dir)
    for (slug, name), (_, mail) in rendered.items():
        spec = found[name].to
        if name in FORMAL:
            expected = FORMAL[name]
        elif spec == "po":
            expected = "Beste collega's van P&O,"
        elif spec == "salarisadministratie":
            expected = "Beste collega's van de salarisadministratie,"
        else:
            expected = f"Beste {spec['voornaam']},"
        first = next(line for line in mail.text.splitlines() if line.strip())
        assert first == expected, (slug, name, first)
        assert f"<p>{expected.replace('&', '&amp;').replace(chr(39), '&#39;')}</p>" in mail.html, (
            slug,
            name,
        )


def test_no_mail_writes_plural_in_brackets_or_bij_praat_moment(rendered):
    """No "maand(en)" or "collega('s)", and "bijpraatmoment" is one word."""
    for key, (_, mail) in rendered.items():
        for text in _texts(mail):
            assert "(en)" not in text, key
            assert "('s)" not in text, key
            assert not re.search(r"bij\s+praat\s*moment", text, re.IGNORECASE), key


def test_no_mail_uses_english_words(rendered):
    """The small list of English words P&O found in mails appears in none."""
    for key, (_, mail) in rendered.items():
        for text in _texts(mail):
            for word in ENGLISH:
                assert not re.search(rf"\b{re.escape(word)}s?\b", text, re.IGNORECASE), (
                    key,
                    word,
                )


def test_no_mail_asks_anyone_to_run_a_poflow_command(rendered):
    """Mails link to the page where something is done, never to a terminal command."""
    for key, (_, mail) in rendered.items():
        for text in _texts(mail):
            assert not COMMANDS.search(text), (key, COMMANDS.search(text))


def test_rec_3_and_ges_5_mails_say_where_to_record_it(rendered):
    """REC-3/GES-5: a mail that asks to record something names the page where it is done."""
    for key, (_, mail) in rendered.items():
        for text in _texts(mail):
            assert "in poflow vast" not in text, key
    for name in ("recruitment/rec_tekst_opstellen", "conversations/periodiek"):
        for suffix in ("txt", "html"):
            source = (TEMPLATES / f"{name}.{suffix}").read_text(encoding="utf-8")
            assert "in poflow vast" not in source, name
            assert "{{ base_url }}/werk" in source, name
            assert "Mijn werk" in source, name
    assert "/werk" in rendered["hardenberg", "recruitment/rec_tekst_opstellen"][1].text


def test_mails_write_dates_in_words_not_digits(rendered):
    """Dates read "maandag 1 maart 2027", never "01-03-2027"."""
    for key, (_, mail) in rendered.items():
        for text in _texts(mail):
            assert not NUMERIC_DATE.search(text), (key, NUMERIC_DATE.search(text))
