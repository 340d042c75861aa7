"""Tests of the daily digest: one mail per owner and day, after every notice of the day (ONB-3)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from poflow.db.models import Action, Outbox, Step
from poflow.states import ActionState
from tests.onboarding.support import (
    FACILITAIR,
    ICT,
    KB,
    PO,
    add_kb_hire,
    add_kb_staff,
    digest_items,
    import_examples,
    link_for,
    run,
)


def test_onb_3_each_owner_gets_one_digest_a_day_listing_all_their_items_with_done_links(
    sqlite_runtime, smtp
):
    """On one day ICT gets one mail with its three items, each with its own done link."""
    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    mails = run(sqlite_runtime, smtp, date(2027, 2, 1), date(2027, 2, 15), municipality=KB)
    ict = [(d, m) for d, t, to, m in mails if t == "onboarding/digest" and to == ICT]
    assert [d for d, _ in ict] == [date(2027, 2, 15)]  # 5 working days before 22 February
    assert sorted(item for _, _, item in digest_items(ict[0][1])) == [
        "inloggegevens-greenvalley",
        "printercode-pc-account",
        "telefoon",
    ]
    links = {link_for(ict[0][1], i) for i in ("telefoon", "printercode-pc-account")}
    assert len(links) == 2
    assert all("/a/" in u for u in links)
    assert "Onboarding: 3 punten voor jouw lijst" in str(ict[0][1]["Subject"])
    days = [(d, to) for d, t, to, _ in mails if t == "onboarding/digest"]
    assert len(days) == len(set(days))  # never two digests for one person on one day


def test_onb_3_a_rerun_sends_nothing_twice_and_notices_filed_later_that_day_get_a_second_digest(
    runtime, smtp
):
    """Re-running a day is silent; after a move the same day the new notices go in digest 2."""
    from poflow.hires.services import move_hire
    from poflow.runtime import run_day

    add_kb_staff(runtime)
    add_kb_hire(runtime)
    run(runtime, smtp, date(2027, 2, 1), date(2027, 2, 15), municipality=KB)
    seen = len(smtp.messages)
    run_day(runtime, date(2027, 2, 15), municipality=KB)
    assert len(smtp.messages) == seen
    with runtime.factory() as session, session.begin():
        move_hire(session, runtime.config(KB), "KB-NH-01", date(2027, 2, 22), actor="cli")
    again = run(runtime, smtp, date(2027, 2, 15), date(2027, 2, 15), municipality=KB)
    facilities = [m for _, t, to, m in again if t == "onboarding/digest" and to == FACILITAIR]
    assert len(facilities) == 1
    # bureau-stoel is now due 15 Feb (5 working days before 22 Feb): announced late, today
    assert "bureau-stoel" in {item for _, _, item in digest_items(facilities[0])}
    assert run(runtime, smtp, date(2027, 2, 15), date(2027, 2, 15), municipality=KB) == []
    with runtime.factory() as session:
        keys = session.scalars(
            select(Outbox.key).where(
                Outbox.template == "onboarding/digest", Outbox.recipient_email == FACILITAIR
            )
        ).all()
    assert sorted(k.rsplit(":", 1)[1] for k in keys if ":2027-02-15:" in k) == ["1", "2"]


def test_onb_3_one_pass_over_two_municipalities_sends_each_po_mailbox_only_its_own_items(
    runtime, smtp
):
    """Digests of two municipalities go through one batch: each P&O mailbox gets its own."""

    import_examples(runtime)  # Hardenberg: four hires starting in February and March
    add_kb_staff(runtime)
    add_kb_hire(runtime, start=date(2027, 2, 1))
    mails = run(runtime, smtp, date(2027, 1, 4), date(2027, 2, 12))
    hires = {
        "po@hardenberg.example.nl": {"NH-2027-001", "NH-2027-002", "NH-2027-003", "NH-2027-004"},
        PO: {"KB-NH-01"},
    }
    po = [
        (d, to, {hire for _, hire, _ in digest_items(m)})
        for d, t, to, m in mails
        if t == "onboarding/digest" and to in hires
    ]
    assert po
    assert all(listed and listed <= hires[to] for _, to, listed in po)
    days = {to: {d for d, t, _ in po if t == to} for to in hires}
    assert days[PO] & days["po@hardenberg.example.nl"]  # both on one day: one shared batch
    assert len(po) == len({(d, to) for d, to, _ in po})  # one digest a mailbox and day


def test_onb_3_a_digest_waits_for_a_notice_another_dispatcher_is_still_filing(runtime, smtp):
    """While another dispatcher holds one of ICT's notices, no digest goes out; then ICT gets it."""
    from poflow.onboarding.notices import DIGEST

    if runtime.settings.database_url.startswith("sqlite"):
        pytest.skip("dispatchers split a day with row locks on PostgreSQL only")
    add_kb_staff(runtime)
    add_kb_hire(runtime)
    day = date(2027, 2, 15)  # ICT hears of three items today (see the first test)
    run(runtime, smtp, date(2027, 2, 1), date(2027, 2, 12), municipality=KB)
    with runtime.factory() as session:
        held, item = session.execute(
            select(Action.id, Step.key)
            .join(Step, Step.id == Action.step_id)
            .where(
                Action.municipality == KB,
                Action.kind == "onb.announce",
                Action.due_date == day,
                Step.owner_role == "ict",
            )
            .order_by(Action.id)
        ).first()
    other = runtime.factory()  # the other dispatcher: it has claimed this notice and is busy
    other.begin()
    other.execute(select(Action.id).where(Action.id == held).with_for_update())
    first = run(runtime, smtp, day, day, municipality=KB)
    with runtime.factory() as session:
        waiting = session.scalars(
            select(Action.state).where(Action.kind == DIGEST, Action.due_date == day)
        ).all()
    other.rollback()
    other.close()
    assert [t for _, t, _, _ in first if t == "onboarding/digest"] == []
    assert waiting
    assert set(waiting) == {ActionState.PENDING}
    then = run(runtime, smtp, day, day, municipality=KB)  # the other dispatcher goes on
    digests = [(to, m) for _, t, to, m in then if t == "onboarding/digest"]
    recipients = [to for to, _ in digests]
    assert ICT in recipients
    assert len(recipients) == len(set(recipients))
    ict = next(m for to, m in digests if to == ICT)
    assert item.removeprefix("onb:") in {key for _, _, key in digest_items(ict)}
    assert len({key for _, _, key in digest_items(ict)}) == 3
