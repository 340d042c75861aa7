"""Tests of the daily digest: one mail per owner and day, done links, reminders and escalations."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from poflow._exceptions import ActionRefused, LinkRefused
from poflow.db.models import Outbox, Step
from poflow.links import claim_link, verify_token
from poflow.onboarding.rules import Level
from poflow.states import StepState
from tests.onboarding_support import (  # noqa: F401  (sqlite_runtime is a fixture)
    KB,
    add_kb_hire,
    add_kb_staff,
    ctx_for,
    digest_items,
    migrated_sqlite,
    run,
    sqlite_runtime,
    text_of,
)

FACILITAIR = "ilse.koster@kaag.example.nl"
ICT = "tom.brouwer@kaag.example.nl"
MANAGER = "sanne.vos@kaag.example.nl"
PO = "po@kaag-en-braassem.example.nl"


def _link_for(msg, item: str) -> str:
    """The done link printed under `item` in a digest's text."""
    lines = text_of(msg).splitlines()
    at = next(i for i, line in enumerate(lines) if f"/{item})" in line)
    return re.search(r"(http\S+)", lines[at + 1]).group(1)


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
    links = {_link_for(ict[0][1], i) for i in ("telefoon", "printercode-pc-account")}
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


def test_onb_3_done_link_stops_reminders_while_an_open_item_is_reminded_and_escalated_once(
    sqlite_runtime, smtp
):
    """A done item is never reminded; an open one goes to owner, leidinggevende, P&O once each."""
    rt = sqlite_runtime
    add_kb_staff(rt)
    add_kb_hire(rt)
    first = run(rt, smtp, date(2027, 2, 1), date(2027, 2, 15), municipality=KB)
    digest = next(m for _, t, to, m in first if t == "onboarding/digest" and to == FACILITAIR)
    token = _link_for(digest, "bureau-stoel").rsplit("/a/", 1)[1]
    with rt.factory() as session, session.begin():
        link = verify_token(session, secret=rt.settings.secret_key.get_secret_value(), token=token)
        claim_link(session, link)
        ctx = ctx_for(rt, session, KB, date(2027, 2, 16), actor=link.subject_id)
        message = ctx.registry.link_actions["onb.item_done"].perform(ctx, link, {})
    assert link.subject_id == "KB-0005"
    assert "staat nu op afgerond" in message
    with rt.factory() as session, pytest.raises(LinkRefused, match="already used"):
        verify_token(session, secret=rt.settings.secret_key.get_secret_value(), token=token)
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
    token = _link_for(digest, "bureau-stoel").rsplit("/a/", 1)[1]
    with rt.factory() as session, session.begin():
        cancel_hire(session, "KB-NH-01", actor="cli", today=date(2027, 2, 16))
    with rt.factory() as session, session.begin():
        with pytest.raises(LinkRefused, match="revoked"):
            verify_token(session, secret=rt.settings.secret_key.get_secret_value(), token=token)
        ctx = ctx_for(rt, session, KB, date(2027, 2, 16), actor="KB-0005")
        with pytest.raises(ActionRefused, match="is vervallen"):
            complete_item(ctx, "KB-NH-01", "bureau-stoel", by="KB-0005")


def test_onb_3_two_dispatchers_filing_for_one_recipient_at_once_share_one_digest(runtime):
    """The second waits for the first's digest row and uses it: no unique-key failure (PG)."""
    import threading
    import time

    from sqlalchemy import select

    from poflow.db.models import Action
    from poflow.engine import Context
    from poflow.onboarding.notices import PO, _ensure_digests
    from poflow.states import ActionState

    day, cfg = date(2027, 1, 11), runtime.config("hardenberg")
    first = runtime.factory()
    first.begin()
    _ensure_digests({cfg.slug: runtime.context(first, cfg, day)}, [(cfg.slug, PO)])
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with runtime.factory() as session, session.begin():
                _ensure_digests({cfg.slug: runtime.context(session, cfg, day)}, [(cfg.slug, PO)])
            outcome["ok"] = True
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            outcome["error"] = repr(exc)

    other = threading.Thread(target=second)
    other.start()
    time.sleep(0.5)
    assert other.is_alive(), "the second dispatcher waits for the first's digest row"
    first.commit()
    first.close()
    other.join(30)
    assert outcome == {"ok": True}
    with runtime.factory() as session:
        digests = session.execute(
            select(Action.key, Action.state).where(Action.case_type == "onb_digest")
        ).all()
    assert [state for _, state in digests] == [ActionState.PENDING]


def test_onb_3_one_pass_over_two_municipalities_sends_each_po_mailbox_only_its_own_items(
    runtime, smtp
):
    """Digests of two municipalities go through one batch: each P&O mailbox gets its own."""
    from tests.onboarding_support import import_examples

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
    """While another dispatcher holds one of ICT's notices, no digest goes out; then ICT gets one."""
    from poflow.db.models import Action
    from poflow.onboarding.notices import DIGEST
    from poflow.states import ActionState

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
