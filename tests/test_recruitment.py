"""A recruitment round from wervingsbehoefte to started onboarding, as the people see it (REC)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import icalendar
import pytest
from sqlalchemy import select

from poflow._exceptions import IllegalTransition, RecruitmentRefused
from poflow.db.models import Hire, Step
from poflow.engine import TZ
from poflow.recruitment import services as rec
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.rules import CandidateState, RoundState
from poflow.runtime import run_day, run_days
from tests.recruitment_helpers import (
    COL_MAIL,
    COLLEGA,
    D0,
    GS_MAIL,
    MT,
    MT_MAIL,
    OR_MAIL,
    OTHER_MT,
    PO,
    PO2,
    PO_MAIL,
    REFERRER,
    SLUG,
    TEAM,
    apply,
    approve_by_mail,
    body,
    click,
    import_example_staff,
    mail_to,
    open_round,
    publish,
    round_at_terms,
    run,
    send,
    shared,  # noqa: F401  (module-scoped fixture)
    tokens,
)


@pytest.fixture
def both_dbs(runtime: Any) -> Any:
    """The runtime on SQLite and on PostgreSQL, with the example staff imported."""
    import_example_staff(runtime)
    return runtime


@pytest.fixture
def rt(shared: tuple[Any, Any]) -> Any:
    """The module's SQLite runtime with the example staff (each test opens its own round)."""
    return shared[0]


@pytest.fixture
def mails(shared: tuple[Any, Any]) -> Any:
    """The module's SMTP server."""
    return shared[1]


def starts(msg: Any) -> datetime:
    """DTSTART of the invitation attached to a received message."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            return next(iter(cal.walk("VEVENT")))["DTSTART"].dt
    raise AssertionError("no invitation in the message")


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
        rec.plan_koffiemoment,
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
        rec.select_for_round,
        rid,
        1,
        [priya, sanne, ruben, jeroen],
        by=MT,
        with_po=PO,
    )
    run(rt, date(2027, 3, 10), rec.plan_interviews, rid, 1, datetime(2027, 3, 15, 9, 0, tzinfo=TZ))
    send(rt)
    click(rt, tokens(mail_to(smtp, "priya@", "Uitnodiging sollicitatiegesprek"))[0])
    run(rt, date(2027, 3, 16), rec.select_for_round, rid, 2, [priya, sanne], by=MT, with_po=PO)
    run(rt, date(2027, 3, 16), rec.plan_interviews, rid, 2, datetime(2027, 3, 22, 13, 0, tzinfo=TZ))
    send(rt)
    run(rt, date(2027, 3, 23), rec.propose_offer, rid, priya, by=PO)
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, smtp, who, "aanbod aan Priya")
    run(rt, date(2027, 3, 24), rec.advance_round, rid)
    run(
        rt,
        date(2027, 3, 24),
        rec.record_terms,
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
    assert run(rt, date(2027, 3, 26), rec.advance_round, rid) is RoundState.ADVICE
    send(rt)  # the aanstellingsadvies goes out first, then the hire is made
    assert run(rt, date(2027, 3, 26), rec.advance_round, rid) is RoundState.FILLED
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


def test_rec_1_a_round_starts_from_a_need_and_asks_po_for_the_text(rt: Any, mails: Any) -> None:
    """Without a formation change the round starts at the vacancy text, asked of P&O (REC-1)."""
    rid = open_round(rt, formation_change=False)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state is RoundState.DRAFTING
    assert "Beleidsadviseur wonen" in body(mail_to(mails, PO_MAIL, "Vacaturetekst opstellen"))


def test_rec_1_a_round_needs_people_in_their_roles(rt: Any) -> None:
    """A round whose MT-lid is not registered as such cannot open (REC-1)."""
    with pytest.raises(RecruitmentRefused, match="not registered as mt_lid"):
        run(
            rt,
            D0,
            rec.open_round,
            team=TEAM,
            function="X",
            fte=1.0,
            formation_change=False,
            po_id=PO,
            mt_lid_id=COLLEGA,
            leidinggevende_id=MT,
        )


def test_rec_2_formation_change_waits_for_both_gs_and_or(rt: Any, mails: Any) -> None:
    """One agreement is not enough: the round moves only when GS and OR both agreed (REC-2)."""
    rid = open_round(rt)
    approve_by_mail(rt, mails, GS_MAIL, "formatiewijziging")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.FORMATION_REVIEW
    approve_by_mail(rt, mails, OR_MAIL, "formatiewijziging")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.DRAFTING


def test_rec_2_a_rejection_by_the_or_ends_the_round_with_its_reason(rt: Any, mails: Any) -> None:
    """The OR rejects with a reason: the round ends and P&O and MT hear why (REC-2)."""
    rid = open_round(rt)
    approve_by_mail(rt, mails, GS_MAIL, "formatiewijziging")
    approve_by_mail(
        rt,
        mails,
        OR_MAIL,
        "formatiewijziging",
        "niet_akkoord",
        "Eerst de herijking van het team afronden.",
    )
    assert run(rt, D0, rec.advance_round, rid) is RoundState.CANCELLED
    send(rt)
    with rt.factory() as s:
        rnd = s.get(RecruitmentRound, rid)
        assert rnd.close_note == "Eerst de herijking van het team afronden."
        assert rnd.closed_on == D0
    assert "herijking" in body(mail_to(mails, PO_MAIL, "gaat niet door"))
    with pytest.raises(IllegalTransition, match="cancelled"):
        run(rt, D0, rec.draft_vacancy, rid, "Een tekst die lang genoeg is om te tellen.", by=PO)


def test_rec_3_text_needs_both_po_and_mt_and_a_rejection_asks_a_new_version(
    rt: Any, mails: Any
) -> None:
    """P&O alone cannot publish; the MT-lid's rejection sends the text back (REC-3)."""
    rid = open_round(rt, formation_change=False)
    run(rt, D0, rec.draft_vacancy, rid, "Een eerste versie van de vacaturetekst.", by=PO)
    send(rt)
    approve_by_mail(rt, mails, PO_MAIL, "Vacaturetekst")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.TEXT_REVIEW
    approve_by_mail(rt, mails, MT_MAIL, "Vacaturetekst", "niet_akkoord", "Te ambtelijk.")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.DRAFTING
    send(rt)
    assert "nieuwe versie" in body(mail_to(mails, PO_MAIL, "Vacaturetekst aanpassen"))
    with pytest.raises(RecruitmentRefused, match="P&O adviser"):
        run(rt, D0, rec.draft_vacancy, rid, "Het MT-lid schrijft zelf een tekst.", by=MT)


def test_rec_4_external_candidates_wait_for_the_internal_window(rt: Any, mails: Any) -> None:
    """During the internal week only internal tiers may apply; external after it (REC-4)."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    with pytest.raises(RecruitmentRefused, match="external"):
        apply(rt, rid, "Extern", 4, D0)
    apply(rt, rid, "Intern", 2, D0)
    run_day(rt, date(2027, 3, 5), municipality=SLUG)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state is RoundState.INTERNAL
    run_day(rt, date(2027, 3, 8), municipality=SLUG)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state is RoundState.EXTERNAL
    apply(rt, rid, "Extern", 4, date(2027, 3, 8))
    assert mail_to(mails, PO_MAIL, "nu ook extern")


def test_rec_4_rec_6_round_one_invites_higher_tiers_and_internals_first(
    rt: Any, mails: Any
) -> None:
    """Slots go to tier 1, 2, 3 and then external candidates, whatever the order of applying."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    run_day(rt, date(2027, 3, 8), municipality=SLUG)
    ids = [
        apply(rt, rid, name, tier, date(2027, 3, 8))
        for name, tier in (("Vier", 4), ("Drie", 3), ("Twee", 2), ("Een", 1))
    ]
    run(rt, date(2027, 3, 9), rec.select_for_round, rid, 1, ids, by=MT, with_po=PO)
    run(rt, date(2027, 3, 9), rec.plan_interviews, rid, 1, datetime(2027, 3, 15, 9, 0, tzinfo=TZ))
    send(rt)
    times = {
        n: starts(mail_to(mails, f"{n.lower()}@", "Uitnodiging"))
        for n in ("Een", "Twee", "Drie", "Vier")
    }
    assert [times[n] for n in ("Een", "Twee", "Drie", "Vier")] == sorted(times.values())
    assert times["Een"].hour == 9
    invited = [str(m["To"]) for m in mails.messages if "Uitnodiging" in str(m["Subject"])]
    assert [t.split("@")[0].split("<")[-1] for t in invited] == ["een", "twee", "drie", "vier"]
    panel = mail_to(mails, PO_MAIL, "Sollicitatiegesprek ronde 1: Een")
    assert "categorie 1" in body(panel)


def published_with(
    rt: Any, mails: Any, people: list[tuple[str, int]], **kw: Any
) -> tuple[str, list[str]]:
    """A published, externally open round with these applicants (name, tier)."""
    rid = open_round(rt, formation_change=False, **kw)
    publish(rt, mails, rid)
    run_day(rt, date(2027, 3, 8), municipality=SLUG)
    return rid, [apply(rt, rid, name, tier, date(2027, 3, 8)) for name, tier in people]


def test_rec_5_only_the_rounds_mt_lid_selects_with_po(rt: Any, mails: Any) -> None:
    """Another MT-lid, or the MT-lid without someone from P&O, cannot select (REC-5)."""
    rid, ids = published_with(rt, mails, [("Anna", 2)])
    with pytest.raises(RecruitmentRefused, match="MT-lid"):
        run(rt, D0, rec.select_for_round, rid, 1, ids, by=OTHER_MT, with_po=PO)
    with pytest.raises(RecruitmentRefused, match="po_adviseur"):
        run(rt, D0, rec.select_for_round, rid, 1, ids, by=MT, with_po=COLLEGA)
    run(rt, D0, rec.select_for_round, rid, 1, ids, by=MT, with_po=PO)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state is RoundState.ROUND_ONE


def test_rec_6_invitation_has_the_panel_in_the_ics_and_answer_links(rt: Any, mails: Any) -> None:
    """The candidate's invitation lists P&O and the MT-lid and can be declined by link (REC-6)."""
    rid, ids = published_with(rt, mails, [("Bas", 4)], colleague_id=None)
    run(rt, D0, rec.select_for_round, rid, 1, ids, by=MT, with_po=PO)
    run(rt, D0, rec.plan_interviews, rid, 1, datetime(2027, 3, 15, 10, 0, tzinfo=TZ))
    send(rt)
    msg = mail_to(mails, "bas@", "Uitnodiging sollicitatiegesprek")
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "bram.dewit@" in ics
    assert "dirk.mulder@" in ics
    assert "esra.yilmaz@" not in ics
    accept, decline = tokens(msg)
    assert click(rt, decline).context["ok"] is True
    send(rt)
    assert ids[0] in str(mail_to(mails, "po@hardenberg", "kan niet op het gesprek")["Subject"])
    assert click(rt, decline).template == "refused.html"  # used once


def test_rec_7_round_two_needs_a_colleague_and_rejects_the_others_kindly(
    rt: Any, mails: Any
) -> None:
    """Without a colleague there is no second round; those not chosen hear why (REC-7)."""
    rid, ids = published_with(rt, mails, [("Cor", 2), ("Dewi", 3)], colleague_id=None)
    run(rt, D0, rec.select_for_round, rid, 1, ids, by=MT, with_po=PO)
    run(rt, D0, rec.select_for_round, rid, 2, ids[:1], by=MT, with_po=PO)
    with pytest.raises(RecruitmentRefused, match="colleague"):
        run(rt, D0, rec.plan_interviews, rid, 2, datetime(2027, 3, 22, 9, 0, tzinfo=TZ))
    send(rt)
    assert "Na het eerste gesprek" in body(mail_to(mails, "dewi@", "Je sollicitatie"))


def test_rec_8_the_offer_needs_po_mt_and_the_colleague(rt: Any, mails: Any) -> None:
    """Two of three is not enough, and the colleague's no sends the round back (REC-8)."""
    rid, ids = published_with(rt, mails, [("Eva", 2)])
    run(rt, D0, rec.select_for_round, rid, 1, ids, by=MT, with_po=PO)
    run(rt, D0, rec.select_for_round, rid, 2, ids, by=MT, with_po=PO)
    run(rt, D0, rec.propose_offer, rid, ids[0], by=PO)
    send(rt)
    approve_by_mail(rt, mails, PO_MAIL, "aanbod aan Eva")
    approve_by_mail(rt, mails, MT_MAIL, "aanbod aan Eva")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.DECISION
    approve_by_mail(rt, mails, COL_MAIL, "aanbod aan Eva", "niet_akkoord", "Te weinig ervaring.")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.ROUND_TWO
    run(rt, D0, rec.propose_offer, rid, ids[0], by=PO)  # a new decision, asked again
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, mails, who, "aanbod aan Eva")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.TERMS
    send(rt)
    assert "arbeidsvoorwaardengesprek" in body(mail_to(mails, "eva@", "Goed nieuws"))


def test_rec_10_advice_pdf_holds_the_agreed_terms_and_the_hire_follows(rt: Any, mails: Any) -> None:
    """The college gets the advice with a PDF of the terms; then the hire exists (REC-10)."""
    from io import BytesIO

    rid, cand = round_at_terms(rt, mails)
    approve_by_mail(rt, mails, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, mails, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert run(rt, D0, rec.advance_round, rid) is RoundState.ADVICE
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).hire_id is None  # not before the advice went out
    send(rt)
    assert run(rt, D0, rec.advance_round, rid) is RoundState.FILLED
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


def test_rec_11_rejection_names_the_reason_and_partners_only_with_consent(
    rt: Any, mails: Any
) -> None:
    """A rejection is friendly, names its reason and, with consent only, partner vacancies."""
    rid, ids = published_with(rt, mails, [("Fleur", 4), ("Gijs", 4), ("Hamid", 2)])
    with rt.factory() as s, s.begin():
        s.get(Candidate, ids[0]).consent_partners = True
    run(rt, D0, rec.select_for_round, rid, 1, ids[2:], by=MT, with_po=PO)
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


def test_rec_12_referral_bonus_goes_to_salary_admin_once_in_service(rt: Any, mails: Any) -> None:
    """The bonus notice waits for the first working day and names EUR 250 net (REC-12)."""
    rid, ids = published_with(rt, mails, [("Iris", 2)])
    with rt.factory() as s, s.begin():
        s.get(Candidate, ids[0]).referred_by_id = REFERRER
    run(rt, D0, rec.select_for_round, rid, 1, ids, by=MT, with_po=PO)
    run(rt, D0, rec.select_for_round, rid, 2, ids, by=MT, with_po=PO)
    run(rt, D0, rec.propose_offer, rid, ids[0], by=PO)
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, mails, who, "aanbod aan Iris")
    run(rt, D0, rec.advance_round, rid)
    run(
        rt,
        D0,
        rec.record_terms,
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
    run(rt, D0, rec.advance_round, rid)
    send(rt)
    run(rt, D0, rec.advance_round, rid)
    before = len(mails.messages)
    run_day(rt, date(2027, 5, 31), municipality=SLUG)
    assert not [m for m in mails.messages[before:] if "Aanbrengpremie" in str(m["Subject"])]
    run_day(rt, date(2027, 6, 1), municipality=SLUG)
    notice = body(mail_to(mails, "salarisadministratie@hardenberg", "Aanbrengpremie"))
    assert "EUR 250 netto" in notice
    assert REFERRER in notice
    assert mail_to(mails, "gerrit.smit@", "Bedankt voor het aandragen")


def test_rec_13_koffiemoment_invites_prospect_and_recruiter(rt: Any, mails: Any) -> None:
    """A prospect and the recruiter get an invitation; the prospect can apply later (REC-13)."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    prospect = run(
        rt,
        D0,
        rec.plan_koffiemoment,
        rid,
        given_name="Jasmijn",
        family_name="Testpersoon",
        email="jasmijn@example.org",
        host_id=PO2,
        starts_at=datetime(2027, 3, 4, 14, 0, tzinfo=TZ),
    ).id
    send(rt)
    for who in ("jasmijn@", "carla.jansen@"):
        msg = mail_to(mails, who, "koffiemoment")
        assert starts(msg) == datetime(2027, 3, 4, 14, 0, tzinfo=TZ)
    with pytest.raises(RecruitmentRefused, match="recruiter or a colleague"):
        run(
            rt,
            D0,
            rec.plan_koffiemoment,
            rid,
            given_name="X",
            family_name="Y",
            email="x@example.org",
            host_id="HB-0009",
            starts_at=datetime(2027, 3, 4, 15, 0, tzinfo=TZ),
        )
    apply(rt, rid, "Jasmijn", 2, D0, prospect_id=prospect)
    with rt.factory() as s:
        assert s.get(Candidate, prospect).state is CandidateState.APPLIED


def test_rec_10_the_advice_waits_in_the_queue_while_the_mail_server_is_down(
    rt: Any, mails: Any
) -> None:
    """With the server refusing, the advice stays queued and no hire is made; later both go."""
    from poflow._exceptions import MailDeliveryError
    from poflow.mail.sending import SmtpTarget

    rid, _ = round_at_terms(rt, mails)
    approve_by_mail(rt, mails, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, mails, PO_MAIL, "Arbeidsvoorwaardengesprek")
    run(rt, D0, rec.advance_round, rid)
    mails.refuse = "451 4.3.0 try again later"
    try:
        with pytest.raises(MailDeliveryError, match="recruitment documents"):
            rec.send_documents(
                rt.factory,
                SmtpTarget.from_settings(rt.settings),
                {SLUG: ("P&O", "po@hardenberg.example.nl")},
            )
        assert run(rt, D0, rec.advance_round, rid) is RoundState.ADVICE
    finally:
        mails.refuse = None
    send(rt)
    assert run(rt, D0, rec.advance_round, rid) is RoundState.FILLED
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
