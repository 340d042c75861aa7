"""Tests of the Dutch words for counts and spans of time (X-5: mails read right)."""

from __future__ import annotations

from datetime import date

from poflow.kernel.wording import count_word, months_phrase, until_phrase


def test_chk_2_months_are_singular_or_plural_in_words():
    """One month is "een maand", more are "drie maanden"; above twelve in digits."""
    assert [months_phrase(n) for n in (1, 3, 8, 18)] == [
        "een maand",
        "drie maanden",
        "acht maanden",
        "18 maanden",
    ]
    assert count_word(12) == "twaalf"


def test_chk_2_a_span_reads_as_days_weeks_or_months_from_the_day_it_is_read():
    """Four weeks ahead is "over vier weken", tomorrow "morgen", three months "over drie
    maanden"."""
    today = date(2027, 1, 4)
    assert until_phrase(today, date(2027, 2, 1)) == "over vier weken"
    assert until_phrase(today, date(2027, 1, 5)) == "morgen"
    assert until_phrase(today, date(2027, 1, 4)) == "vandaag"
    assert until_phrase(today, date(2027, 1, 7)) == "over drie dagen"
    assert until_phrase(today, date(2027, 1, 11)) == "over een week"
    assert until_phrase(today, date(2027, 4, 5)) == "over drie maanden"
