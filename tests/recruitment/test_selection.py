"""REC-5: the MT-lid's selection takes effect only when the P&O adviser it names confirms it,
logged in on their own link page; a refusal moves nothing and tells the MT-lid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import RecruitmentRefused
from poflow.auth.viewer import Viewer
from poflow.db.models import AuditEntry, Person
from poflow.kernel.calendar import TZ
from poflow.recruitment import interviews, selection, stages
from poflow.recruitment.board import waits_on
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundSelection
from poflow.recruitment.states import CandidateState, RoundState, SelectionState
from poflow.web.service import LinkPages
from tests.recruitment.support import (
    D0,
    MT,
    MT_MAIL,
    PO,
    PO2,
    PO_MAIL,
    body,
    click,
    mail_to,
    published_with,
    run,
    send,
    tokens,
)

DAY = D0.replace(day=8)  # externally open: every tier may apply
REASON = "Voldoet niet (nagenoeg) aan de functie-eisen: geen ervaring met de Omgevingswet."


def _propose(rt: Any, mails: Any, tag: str) -> tuple[str, list[str], int]:
    """A round with a tier-1, a tier-2 and a tier-4 applicant (names ending in `tag`, one per
    test: the SMTP server is the module's); the MT-lid selects the tier-2 one with P&O
    (HB-0002), passing over the tier-1 one with a reason; the mails are sent."""
    people = [(f"Eva{tag}", 1), (f"Floor{tag}", 2), (f"Gert{tag}", 4)]
    rid, ids = published_with(rt, mails, people)
    proposed = run(
        rt,
        DAY,
        interviews.select_for_round,
        rid,
        1,
        [ids[1]],
        by=MT,
        with_po=PO,
        passed_over_reasons={ids[0]: REASON},
    )
    send(rt)
    return rid, ids, proposed.id


def _states(rt: Any, rid: str, ids: list[str]) -> tuple[RoundState, list[CandidateState]]:
    with rt.factory() as s:
        rnd = s.get_one(RecruitmentRound, rid)
        return rnd.state, [s.get_one(Candidate, c).state for c in ids]


def _no_mails(mails: Any, tag: str) -> list[str]:
    """Which of the round's applicants got a 'Je sollicitatie' (a no) so far."""
    return [
        name
        for name in ("eva", "floor", "gert")
        if any(
            f"{name}{tag}@" in str(m["To"]) and "Je sollicitatie" in str(m["Subject"])
            for m in mails.messages
        )
    ]


def _viewer(rt: Any, person_id: str) -> Viewer:
    with rt.factory() as s:
        person = s.get_one(Person, person_id)
        return Viewer(
            person_id=person.id,
            municipality=person.municipality,
            name=person.full_name,
            roles=frozenset(person.role_names),
            method="local",
        )


def _audit(rt: Any, rid: str, action: str) -> list[AuditEntry]:
    with rt.factory() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.entity_id == rid)
                .order_by(AuditEntry.id)
            )
        )


def test_rec_5_the_selection_takes_effect_only_when_the_asked_po_adviser_confirms(
    rt: Any, mails: Any
) -> None:
    """Until the P&O adviser confirms, nothing moves, nobody hears a no, no interview can be
    planned and the round waits on that adviser; the confirmation makes it take effect."""
    rid, ids, sel_id = _propose(rt, mails, "a")
    assert _states(rt, rid, ids) == (
        RoundState.EXTERNAL,
        [CandidateState.APPLIED] * 3,
    )
    assert _no_mails(mails, "a") == []
    with pytest.raises(RecruitmentRefused, match="round is 'external'"):
        run(rt, DAY, interviews.plan_interviews, rid, 1, datetime(2027, 3, 15, 9, tzinfo=TZ))
    with rt.factory() as s:
        rnd = s.get_one(RecruitmentRound, rid)
        assert waits_on(s, rnd).people == ((PO, "bevestigt de selectie van het MT-lid"),)
        assert stages.awaited_selection(s, rid) == {
            "selection": sel_id,
            "round_no": 1,
            "po_adviseur": PO,
        }
    run(rt, DAY, selection.decide_selection, sel_id, confirm=True, actor=PO)
    send(rt)
    assert _states(rt, rid, ids) == (
        RoundState.ROUND_ONE,
        [CandidateState.REJECTED, CandidateState.ROUND_ONE, CandidateState.REJECTED],
    )
    with rt.factory() as s:
        assert s.get_one(Candidate, ids[0]).passed_over_reason == REASON
        assert stages.awaited_selection(s, rid) is None
    steps = run(rt, DAY, interviews.plan_interviews, rid, 1, datetime(2027, 3, 15, 9, tzinfo=TZ))
    assert len(steps) == 1


def test_rec_5_the_mt_lid_cannot_confirm_the_selection(rt: Any, mails: Any) -> None:
    """The MT-lid is refused by the domain and, on P&O's link page, as someone else."""
    rid, ids, sel_id = _propose(rt, mails, "b")
    with pytest.raises(RecruitmentRefused, match=f"P&O adviser {PO} was asked"):
        run(rt, DAY, selection.decide_selection, sel_id, confirm=True, actor=MT)
    token = tokens(mail_to(mails, PO_MAIL, "Selectie ter bevestiging"))[0]
    page = LinkPages(rt).show(token, None, None, _viewer(rt, MT))
    assert page.template != "confirm.html"
    assert _states(rt, rid, ids)[0] is RoundState.EXTERNAL
    assert _audit(rt, rid, "round.selection_confirmed") == []


def test_rec_5_another_po_adviser_or_an_operator_cannot_confirm(rt: Any, mails: Any) -> None:
    """A P&O adviser other than the one asked, and an operator, are refused; nothing moves."""
    rid, ids, sel_id = _propose(rt, mails, "c")
    for actor in (PO2, "cli:beheer"):
        with pytest.raises(RecruitmentRefused, match=f"P&O adviser {PO} was asked"):
            run(rt, DAY, selection.decide_selection, sel_id, confirm=True, actor=actor)
    token = tokens(mail_to(mails, PO_MAIL, "Selectie ter bevestiging"))[0]
    assert LinkPages(rt).show(token, None, None, _viewer(rt, PO2)).template != "confirm.html"
    assert _states(rt, rid, ids) == (RoundState.EXTERNAL, [CandidateState.APPLIED] * 3)


def test_rec_5_a_refusal_tells_the_mt_lid_and_nothing_moves(rt: Any, mails: Any) -> None:
    """Refusing needs a reason; then nothing moves, the MT-lid is told why and may select
    again, and that new selection can be confirmed."""
    rid, ids, sel_id = _propose(rt, mails, "d")
    token = tokens(mail_to(mails, PO_MAIL, "Selectie ter bevestiging"))[0]
    page = click(rt, token, besluit="weigeren")
    assert "toelichting" in page.context["errors"]
    note = "Evad voldoet nagenoeg aan de eisen; nodig haar ook uit."
    done = click(rt, token, besluit="weigeren", toelichting=note)
    assert done.context["ok"] is True
    send(rt)
    assert _states(rt, rid, ids) == (RoundState.EXTERNAL, [CandidateState.APPLIED] * 3)
    assert _no_mails(mails, "d") == []
    told = body(mail_to(mails, MT_MAIL, "Selectie niet bevestigd"))
    assert note in told
    with rt.factory() as s:
        assert s.get_one(RoundSelection, sel_id).state is SelectionState.REFUSED
        assert s.get_one(Candidate, ids[0]).passed_over_reason is None
        assert waits_on(s, s.get_one(RecruitmentRound, rid)).people[0][0] == MT
    again = run(rt, DAY, interviews.select_for_round, rid, 1, ids[:2], by=MT, with_po=PO)
    run(rt, DAY, selection.decide_selection, again.id, confirm=True, actor=PO)
    assert _states(rt, rid, ids)[1] == [
        CandidateState.ROUND_ONE,
        CandidateState.ROUND_ONE,
        CandidateState.REJECTED,
    ]


def test_rec_5_the_confirmation_is_audited_as_the_po_adviser(rt: Any, mails: Any) -> None:
    """The confirmation and the round's move are audited as the P&O adviser who confirmed."""
    rid, _ids, sel_id = _propose(rt, mails, "e")
    (proposed,) = _audit(rt, rid, "round.selection_proposed")
    assert (proposed.actor, proposed.detail["asked_po"]) == ("cli", PO)
    token = tokens(mail_to(mails, PO_MAIL, "Selectie ter bevestiging"))[0]
    assert click(rt, token, besluit="bevestigen").context["ok"] is True
    (confirmed,) = _audit(rt, rid, "round.selection_confirmed")
    assert (confirmed.actor, confirmed.detail["selection"]) == (PO, sel_id)
    moved = _audit(rt, rid, "round.moved")[-1]
    assert (moved.actor, moved.detail["to_state"], moved.detail["with_po"]) == (
        PO,
        "round_one",
        PO,
    )


def test_rec_5_black_box_p_and_o_gets_the_link_and_the_others_hear_no_only_after(
    rt: Any, mails: Any
) -> None:
    """Through the SMTP sink: P&O's mail shows the selection, the passed-over reason and a
    link; the applicants not selected hear their no only once P&O confirmed on that link."""
    rid, _ids, _ = _propose(rt, mails, "f")
    msg = mail_to(mails, PO_MAIL, "Selectie ter bevestiging")
    text = body(msg)
    assert "Floorf Testpersoon" in text
    assert REASON in text
    assert "Gertf Testpersoon" in text
    assert rid in str(msg["Subject"])
    (token,) = tokens(msg)
    assert _no_mails(mails, "f") == []
    assert not any(
        MT_MAIL in str(m["To"]) and rid in str(m["Subject"]) and "Selectie" in str(m["Subject"])
        for m in mails.messages
    )
    page = click(rt, token, besluit="bevestigen")
    assert page.context["ok"] is True
    send(rt)
    assert _no_mails(mails, "f") == ["eva", "gert"]
