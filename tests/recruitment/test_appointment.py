"""From decision to hire: the offer, the aanstellingsadvies and the hire that follows
(REC-8, REC-10)."""

from __future__ import annotations

from typing import Any

import pytest

from poflow.db.models import Hire
from poflow.recruitment import appointment, documents, stages
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.states import CandidateState, RoundState
from tests.recruitment.support import (
    COL_MAIL,
    D0,
    MT_MAIL,
    PO,
    PO_MAIL,
    SLUG,
    TEAM,
    approve_by_mail,
    body,
    contract_by_mail,
    mail_to,
    published_with,
    round_at_terms,
    run,
    select_confirmed,
    send,
)


def test_rec_8_the_offer_needs_po_mt_and_the_colleague(rt: Any, mails: Any) -> None:
    """Two of three is not enough, and the colleague's no sends the round back (REC-8)."""
    rid, ids = published_with(rt, mails, [("Eva", 2)])
    select_confirmed(rt, D0, rid, 1, ids)
    select_confirmed(rt, D0, rid, 2, ids)
    run(rt, D0, appointment.propose_offer, rid, ids[0], by=PO)
    send(rt)
    approve_by_mail(rt, mails, PO_MAIL, "aanbod aan Eva")
    approve_by_mail(rt, mails, MT_MAIL, "aanbod aan Eva")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.DECISION
    approve_by_mail(rt, mails, COL_MAIL, "aanbod aan Eva", "niet_akkoord", "Te weinig ervaring.")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.ROUND_TWO
    run(rt, D0, appointment.propose_offer, rid, ids[0], by=PO)  # a new decision, asked again
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, mails, who, "aanbod aan Eva")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.TERMS
    send(rt)
    assert "arbeidsvoorwaardengesprek" in body(mail_to(mails, "eva@", "Goed nieuws"))


def test_rec_10_advice_pdf_holds_the_agreed_terms_and_the_hire_follows(rt: Any, mails: Any) -> None:
    """The college gets the advice with a PDF of the terms; then the hire exists (REC-10)."""
    from io import BytesIO

    rid, cand = round_at_terms(rt, mails)
    approve_by_mail(rt, mails, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, mails, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.ADVICE
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).hire_id is None  # not before the advice went out
    send(rt)
    contract_by_mail(rt, mails)
    assert run(rt, D0, stages.advance_round, rid) is RoundState.FILLED
    advice = mail_to(mails, "college@hardenberg", "Aanstellingsadvies")
    pdf = next(p for p in advice.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename() == f"aanstellingsadvies-{rid}.pdf"
    raw = pdf.get_content()
    assert raw.startswith(b"%PDF")
    assert len(BytesIO(raw).getvalue()) > 1000
    assert "tijdelijk (12 maanden)" in body(advice)
    assert "03-05-2027" in body(advice)
    with rt.factory() as s:
        hire = s.get(Hire, f"NH-{rid}")
        assert (hire.contract_type, hire.contract_months, hire.team) == ("tijdelijk", 12, TEAM)
        assert s.get(Candidate, cand).state is CandidateState.HIRED


def test_rec_10_the_advice_waits_in_the_queue_while_the_mail_server_is_down(
    rt: Any, mails: Any
) -> None:
    """With the server refusing, the advice stays queued and no hire is made; later both go."""
    from poflow._exceptions import MailDeliveryError
    from poflow.mail.sending import SmtpTarget

    rid, _ = round_at_terms(rt, mails)
    approve_by_mail(rt, mails, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, mails, PO_MAIL, "Arbeidsvoorwaardengesprek")
    run(rt, D0, stages.advance_round, rid)
    mails.refuse = "451 4.3.0 try again later"
    try:
        with pytest.raises(MailDeliveryError, match="recruitment documents"):
            documents.send_documents(
                rt.factory,
                SmtpTarget.from_settings(rt.settings),
                {SLUG: ("P&O", "po@hardenberg.example.nl")},
            )
        assert run(rt, D0, stages.advance_round, rid) is RoundState.ADVICE
    finally:
        mails.refuse = None
    send(rt)
    contract_by_mail(rt, mails)
    assert run(rt, D0, stages.advance_round, rid) is RoundState.FILLED
    assert (
        len(
            [
                m
                for m in mails.messages
                if f"({rid})" in str(m["Subject"]) and "Aanstellingsadvies" in str(m["Subject"])
            ]
        )
        == 1
    )
