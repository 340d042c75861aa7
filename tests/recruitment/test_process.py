"""A recruitment round from wervingsbehoefte to started onboarding, as the people see it (REC)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from poflow.db.models import Hire, Step
from poflow.engine import TZ
from poflow.recruitment import appointment, candidates, interviews, stages
from poflow.recruitment.models import Candidate
from poflow.recruitment.states import RoundState
from poflow.runtime import run_day, run_days
from tests.recruitment.support import (
    COL_MAIL,
    D0,
    GS_MAIL,
    MT,
    MT_MAIL,
    PO,
    PO2,
    PO_MAIL,
    REFERRER,
    SLUG,
    apply,
    approve_by_mail,
    body,
    click,
    confirm_selection_by_mail,
    contract_by_mail,
    mail_to,
    open_round,
    publish,
    run,
    send,
    tokens,
)


def test_rec_full_round_from_need_to_started_onboarding(both_dbs: Any, smtp: Any) -> None:
    """A round runs from need to onboarding, each mail in the right order (REC-1..13 together)."""
    rt = both_dbs
    rid = open_round(rt)
    publish(rt, smtp, rid)
    ruben = apply(rt, rid, "Ruben", 1, D0)
    sanne = apply(rt, rid, "Sanne", 2, D0)
    prospect = run(
        rt,
        D0,
        candidates.plan_koffiemoment,
        rid,
        given_name="Priya",
        family_name="Testpersoon",
        email="priya@example.org",
        host_id=PO2,
        starts_at=datetime(2027, 3, 3, 10, 0, tzinfo=TZ),
    ).id
    send(rt)
    run_days(rt, D0, date(2027, 3, 8), municipality=SLUG)  # internal week over: external
    priya = apply(
        rt, rid, "Priya", 4, date(2027, 3, 8), prospect_id=prospect, referred_by_id=REFERRER
    )
    tom = apply(rt, rid, "Tom", 4, date(2027, 3, 8), consent_partners=True)
    jeroen = apply(rt, rid, "Jeroen", 3, date(2027, 3, 9))
    run(
        rt,
        date(2027, 3, 10),
        interviews.select_for_round,
        rid,
        1,
        [priya, sanne, ruben, jeroen],
        by=MT,
        with_po=PO,
    )
    confirm_selection_by_mail(rt, smtp)  # REC-5: P&O confirms, logged in, by own link
    run(
        rt,
        date(2027, 3, 10),
        interviews.plan_interviews,
        rid,
        1,
        datetime(2027, 3, 15, 9, 0, tzinfo=TZ),
    )
    send(rt)
    click(rt, tokens(mail_to(smtp, "priya@", "Uitnodiging sollicitatiegesprek"))[0])
    run(
        rt,
        date(2027, 3, 16),
        interviews.select_for_round,
        rid,
        2,
        [priya, sanne],
        by=MT,
        with_po=PO,
        passed_over_reasons={  # REC-4: the higher tiers left out, each with its reason
            ruben: "Na het eerste gesprek: voldoet niet aan de functie-eisen.",
            jeroen: "Na het eerste gesprek: voldoet niet aan de functie-eisen.",
        },
    )
    confirm_selection_by_mail(rt, smtp)
    run(
        rt,
        date(2027, 3, 16),
        interviews.plan_interviews,
        rid,
        2,
        datetime(2027, 3, 22, 13, 0, tzinfo=TZ),
    )
    send(rt)
    run(rt, date(2027, 3, 23), appointment.propose_offer, rid, priya, by=PO)
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, smtp, who, "aanbod aan Priya")
    run(rt, date(2027, 3, 24), stages.advance_round, rid)
    run(
        rt,
        date(2027, 3, 24),
        appointment.record_terms,
        rid,
        by=PO,
        start_date=date(2027, 5, 1),
        contract_type="vast",
        contract_months=None,
        work_email="priya@hardenberg.example.nl",
    )
    send(rt)
    approve_by_mail(rt, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert run(rt, date(2027, 3, 26), stages.advance_round, rid) is RoundState.ADVICE
    send(rt)  # the aanstellingsadvies and P&O's concept contract go out first
    contract_by_mail(rt, smtp)  # P&O drew up the contract: then the hire is made (REC-10)
    assert run(rt, date(2027, 3, 26), stages.advance_round, rid) is RoundState.FILLED
    send(rt)
    run_day(rt, date(2027, 3, 26), municipality=SLUG)  # the dispatcher plans onboarding
    run_day(rt, date(2027, 5, 3), municipality=SLUG)  # first working day

    subjects = smtp.subjects()

    def first(to: str, part: str) -> int:
        return next(
            i
            for i, m in enumerate(smtp.messages)
            if to in str(m["To"]) and part in str(m["Subject"])
        )

    order = [
        first(GS_MAIL, "formatiewijziging"),
        first(PO_MAIL, "Vacaturetekst opstellen"),
        first(MT_MAIL, "Vacaturetekst"),
        first(PO_MAIL, "intern gepubliceerd"),
        first("ruben@", "Bedankt voor je sollicitatie"),
        first("priya@", "koffiemoment"),
        first(PO_MAIL, "nu ook extern"),
        first("tom@", "Je sollicitatie"),
        first("ruben@", "Uitnodiging sollicitatiegesprek"),
        first("ruben@", "Je sollicitatie"),
        first("priya@", "tweede"),
        first(COL_MAIL, "aanbod aan Priya"),
        first("priya@", "Goed nieuws"),
        first(MT_MAIL, "Arbeidsvoorwaardengesprek"),
        first("college@", "Aanstellingsadvies"),
        first("sanne@", "Je sollicitatie"),
        first("salarisadministratie@", "Aanbrengpremie"),
    ]
    assert order == sorted(order), subjects
    advice = mail_to(smtp, "college@", "Aanstellingsadvies")
    pdf = next(p for p in advice.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_content().startswith(b"%PDF")
    assert "Priya Testpersoon" in body(advice)
    with rt.factory() as s:
        hire = s.scalar(select(Hire).where(Hire.private_email == "priya@example.org"))
        assert hire is not None
        assert hire.manager_id == MT
        assert hire.first_working_day == date(2027, 5, 3)
        assert hire.planned_version == hire.version  # the dispatcher planned onboarding
        assert (
            s.scalars(select(Step).where(Step.case_type == "hire", Step.case_id == hire.id)).first()
            is not None
        )
        assert s.get(Candidate, sanne).reason == "andere_kandidaat"
    assert "250" in body(mail_to(smtp, "salarisadministratie@", "Aanbrengpremie"))
    assert tom
    assert jeroen
