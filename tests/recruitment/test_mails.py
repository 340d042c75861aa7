"""The mails of a round: a friendly rejection with its reason, partners only with consent
(REC-11)."""

from __future__ import annotations

from typing import Any

from poflow.recruitment.models import Candidate
from tests.recruitment.support import (
    D0,
    body,
    mail_to,
    published_with,
    select_confirmed,
    send,
)


def test_rec_11_rejection_names_the_reason_and_partners_only_with_consent(
    rt: Any, mails: Any
) -> None:
    """A rejection is friendly, names its reason and, with consent only, partner vacancies."""
    rid, ids = published_with(rt, mails, [("Fleur", 4), ("Gijs", 4), ("Hamid", 2)])
    with rt.factory() as s, s.begin():
        s.get(Candidate, ids[0]).consent_partners = True
    select_confirmed(rt, D0, rid, 1, ids[2:])
    send(rt)
    fleur, gijs = (
        body(mail_to(mails, "fleur@", "Je sollicitatie")),
        body(mail_to(mails, "gijs@", "Je sollicitatie")),
    )
    for text in (fleur, gijs):
        assert "Hartelijk dank" in text
        assert "op papier beter aan" in text
    assert "Gemeente Ommen" in fleur
    assert "werkenbij.ommen.example.nl" in fleur
    assert "Ommen" not in gijs
    assert "goed ontvangen" in body(mail_to(mails, "hamid@", "Bedankt voor je sollicitatie"))
