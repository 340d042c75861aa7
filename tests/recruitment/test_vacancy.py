"""From need to publication: the formation gate, the vacancy text and the internal window
(REC-2..4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from poflow._exceptions import IllegalTransition, RecruitmentRefused
from poflow.recruitment import stages, vacancy
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.states import RoundState
from poflow.runtime import run_day
from tests.recruitment.support import (
    D0,
    GS_MAIL,
    MT,
    MT_MAIL,
    OR_MAIL,
    PO,
    PO_MAIL,
    SLUG,
    apply,
    approve_by_mail,
    body,
    mail_to,
    open_round,
    publish,
    run,
    send,
)


def test_rec_2_formation_change_waits_for_both_gs_and_or(rt: Any, mails: Any) -> None:
    """One agreement is not enough: the round moves only when GS and OR both agreed (REC-2)."""
    rid = open_round(rt)
    approve_by_mail(rt, mails, GS_MAIL, "formatiewijziging")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.FORMATION_REVIEW
    approve_by_mail(rt, mails, OR_MAIL, "formatiewijziging")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.DRAFTING


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
    assert run(rt, D0, stages.advance_round, rid) is RoundState.CANCELLED
    send(rt)
    with rt.factory() as s:
        rnd = s.get(RecruitmentRound, rid)
        assert rnd.close_note == "Eerst de herijking van het team afronden."
        assert rnd.closed_on == D0
    assert "herijking" in body(mail_to(mails, PO_MAIL, "gaat niet door"))
    with pytest.raises(IllegalTransition, match="cancelled"):
        run(rt, D0, vacancy.draft_vacancy, rid, "Een tekst die lang genoeg is om te tellen.", by=PO)


def test_rec_3_text_needs_both_po_and_mt_and_a_rejection_asks_a_new_version(
    rt: Any, mails: Any
) -> None:
    """P&O alone cannot publish; the MT-lid's rejection sends the text back (REC-3)."""
    rid = open_round(rt, formation_change=False)
    run(rt, D0, vacancy.draft_vacancy, rid, "Een eerste versie van de vacaturetekst.", by=PO)
    send(rt)
    approve_by_mail(rt, mails, PO_MAIL, "Vacaturetekst")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.TEXT_REVIEW
    approve_by_mail(rt, mails, MT_MAIL, "Vacaturetekst", "niet_akkoord", "Te ambtelijk.")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.DRAFTING
    send(rt)
    assert "nieuwe versie" in body(mail_to(mails, PO_MAIL, "Vacaturetekst aanpassen"))
    with pytest.raises(RecruitmentRefused, match="P&O adviser"):
        run(rt, D0, vacancy.draft_vacancy, rid, "Het MT-lid schrijft zelf een tekst.", by=MT)


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
