"""Tests of a digest's done link: reminders stop; a cancelled hire's links are refused (ONB-3/5)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from poflow._exceptions import ActionRefused, LinkRefused
from poflow.db.models import Step
from poflow.link_tokens import claim_link, verify_token
from poflow.onboarding.rules import Level
from poflow.states import StepState
from tests.onboarding.support import (
    FACILITAIR,
    KB,
    MANAGER,
    PO,
    add_kb_hire,
    add_kb_staff,
    ctx_for,
    digest_items,
    link_for,
    run,
)


def test_onb_3_done_link_stops_reminders_while_an_open_item_is_reminded_and_escalated_once(
    sqlite_runtime, smtp
):
    """A done item is never reminded; an open one goes to owner, leidinggevende, P&O once each."""
    rt = sqlite_runtime
    add_kb_staff(rt)
    add_kb_hire(rt)
    first = run(rt, smtp, date(2027, 2, 1), date(2027, 2, 15), municipality=KB)
    digest = next(m for _, t, to, m in first if t == "onboarding/digest" and to == FACILITAIR)
    token = link_for(digest, "bureau-stoel").rsplit("/a/", 1)[1]
    with rt.factory() as session, session.begin():
        link = verify_token(session, secret=rt.settings.signing_keys(), token=token)
        claim_link(session, link)
        ctx = ctx_for(rt, session, KB, date(2027, 2, 16), actor=link.subject_id)
        message = ctx.registry.link_actions["onb.item_done"].perform(ctx, link, {})
    assert link.subject_id == "KB-0005"
    assert "staat nu op afgerond" in message
    with rt.factory() as session, pytest.raises(LinkRefused, match="already used"):
        verify_token(session, secret=rt.settings.signing_keys(), token=token)
    later = run(rt, smtp, date(2027, 2, 16), date(2027, 3, 31), municipality=KB)
    notices = [
        (d, to, level, item)
        for d, t, to, m in later
        if t == "onboarding/digest"
        for level, _, item in digest_items(m)
    ]
    assert [n for n in notices if n[3] == "bureau-stoel"] == []
    assert [n for n in notices if n[3] == "toegangsdruppel"] == [
        (date(2027, 2, 24), FACILITAIR, Level.REMIND, "toegangsdruppel"),
        (date(2027, 3, 1), MANAGER, Level.ESCALATE_MANAGER, "toegangsdruppel"),
        (date(2027, 3, 8), PO, Level.ESCALATE_PO, "toegangsdruppel"),
    ]
    with rt.factory() as session:
        step = session.scalar(select(Step).where(Step.key == "onb:bureau-stoel"))
        assert (step.state, step.done_by) == (StepState.DONE, "KB-0005")


def test_onb_3_onb_5_done_links_of_a_cancelled_hire_are_refused_and_its_items_cannot_close(
    sqlite_runtime, smtp
):
    """After a cancellation the mailed link is refused and closing an item says why, in Dutch."""
    from poflow.hires.services import cancel_hire
    from poflow.onboarding.steps import complete_item

    rt = sqlite_runtime
    add_kb_staff(rt)
    add_kb_hire(rt)
    mails = run(rt, smtp, date(2027, 2, 15), date(2027, 2, 15), municipality=KB)
    digest = next(m for _, t, to, m in mails if t == "onboarding/digest" and to == FACILITAIR)
    token = link_for(digest, "bureau-stoel").rsplit("/a/", 1)[1]
    with rt.factory() as session, session.begin():
        cancel_hire(session, "KB-NH-01", actor="cli", today=date(2027, 2, 16))
    with rt.factory() as session, session.begin():
        with pytest.raises(LinkRefused, match="revoked"):
            verify_token(session, secret=rt.settings.signing_keys(), token=token)
        ctx = ctx_for(rt, session, KB, date(2027, 2, 16), actor="KB-0005")
        with pytest.raises(ActionRefused, match="is vervallen"):
            complete_item(ctx, "KB-NH-01", "bureau-stoel", by="KB-0005")
