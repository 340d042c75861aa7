"""Selection and the interview rounds: order, panel, invitations and their links (REC-4..7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from poflow._exceptions import RecruitmentRefused
from poflow.engine import TZ
from poflow.recruitment import interviews
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.states import RoundState
from poflow.runtime import run_day
from tests.recruitment.support import (
    COLLEGA,
    D0,
    MT,
    OTHER_MT,
    PO,
    PO_MAIL,
    SLUG,
    apply,
    body,
    click,
    mail_to,
    open_round,
    publish,
    published_with,
    run,
    select_confirmed,
    send,
    starts,
    tokens,
)


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
    select_confirmed(rt, date(2027, 3, 9), rid, 1, ids)
    run(
        rt,
        date(2027, 3, 9),
        interviews.plan_interviews,
        rid,
        1,
        datetime(2027, 3, 15, 9, 0, tzinfo=TZ),
    )
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


def test_rec_5_only_the_rounds_mt_lid_selects_with_po(rt: Any, mails: Any) -> None:
    """Another MT-lid, or the MT-lid without someone from P&O, cannot select (REC-5)."""
    rid, ids = published_with(rt, mails, [("Anna", 2)])
    with pytest.raises(RecruitmentRefused, match="MT-lid"):
        run(rt, D0, interviews.select_for_round, rid, 1, ids, by=OTHER_MT, with_po=PO)
    with pytest.raises(RecruitmentRefused, match="po_adviseur"):
        run(rt, D0, interviews.select_for_round, rid, 1, ids, by=MT, with_po=COLLEGA)
    select_confirmed(rt, D0, rid, 1, ids)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state is RoundState.ROUND_ONE


def test_rec_6_invitation_has_the_panel_in_the_ics_and_answer_links(rt: Any, mails: Any) -> None:
    """The candidate's invitation lists P&O and the MT-lid and can be declined by link (REC-6)."""
    rid, ids = published_with(rt, mails, [("Bas", 4)], colleague_id=None)
    select_confirmed(rt, D0, rid, 1, ids)
    run(rt, D0, interviews.plan_interviews, rid, 1, datetime(2027, 3, 15, 10, 0, tzinfo=TZ))
    send(rt)
    msg = mail_to(mails, "bas@", "Uitnodiging sollicitatiegesprek")
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "bram.dewit@" in ics
    assert "dirk.mulder@" in ics
    assert "esra.yilmaz@" not in ics
    _accept, decline = tokens(msg)
    assert click(rt, decline).context["ok"] is True
    send(rt)
    assert ids[0] in str(mail_to(mails, "po@hardenberg", "kan niet op het gesprek")["Subject"])
    assert click(rt, decline).template == "refused.html"  # used once


def test_rec_7_round_two_needs_a_colleague_and_rejects_the_others_kindly(
    rt: Any, mails: Any
) -> None:
    """Without a colleague there is no second round; those not chosen hear why (REC-7)."""
    rid, ids = published_with(rt, mails, [("Cor", 2), ("Dewi", 3)], colleague_id=None)
    select_confirmed(rt, D0, rid, 1, ids)
    select_confirmed(rt, D0, rid, 2, ids[:1])
    with pytest.raises(RecruitmentRefused, match="colleague"):
        run(rt, D0, interviews.plan_interviews, rid, 2, datetime(2027, 3, 22, 9, 0, tzinfo=TZ))
    send(rt)
    assert "Na het eerste gesprek" in body(mail_to(mails, "dewi@", "Je sollicitatie"))
