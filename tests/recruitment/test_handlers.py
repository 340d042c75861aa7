"""The dated actions of recruitment: the referral-bonus notice once in service (REC-12)."""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow.recruitment import appointment, stages
from poflow.recruitment.models import Candidate
from poflow.runtime import run_day
from tests.recruitment.support import (
    COL_MAIL,
    D0,
    MT_MAIL,
    PO,
    PO_MAIL,
    REFERRER,
    SLUG,
    approve_by_mail,
    body,
    contract_by_mail,
    mail_to,
    published_with,
    run,
    select_confirmed,
    send,
)


def test_rec_12_referral_bonus_goes_to_salary_admin_once_in_service(rt: Any, mails: Any) -> None:
    """The bonus notice waits for the first working day and names EUR 250 net (REC-12)."""
    rid, ids = published_with(rt, mails, [("Iris", 2)])
    with rt.factory() as s, s.begin():
        s.get(Candidate, ids[0]).referred_by_id = REFERRER
    select_confirmed(rt, D0, rid, 1, ids)
    select_confirmed(rt, D0, rid, 2, ids)
    run(rt, D0, appointment.propose_offer, rid, ids[0], by=PO)
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, mails, who, "aanbod aan Iris")
    run(rt, D0, stages.advance_round, rid)
    run(
        rt,
        D0,
        appointment.record_terms,
        rid,
        by=PO,
        start_date=date(2027, 6, 1),
        contract_type="vast",
        contract_months=None,
        work_email="iris@hardenberg.example.nl",
    )
    send(rt)
    approve_by_mail(rt, mails, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, mails, PO_MAIL, "Arbeidsvoorwaardengesprek")
    run(rt, D0, stages.advance_round, rid)
    send(rt)
    contract_by_mail(rt, mails)
    run(rt, D0, stages.advance_round, rid)
    before = len(mails.messages)
    run_day(rt, date(2027, 5, 31), municipality=SLUG)
    assert not [m for m in mails.messages[before:] if "Aanbrengpremie" in str(m["Subject"])]
    run_day(rt, date(2027, 6, 1), municipality=SLUG)
    notice = body(mail_to(mails, "salarisadministratie@hardenberg", "Aanbrengpremie"))
    assert "EUR 250 netto" in notice
    assert REFERRER in notice
    assert mail_to(mails, "gerrit.smit@", "Bedankt voor het aandragen")
