"""Tests of the onboarding process: checklist per hire, welcome, buddy, moves, a year of ticks."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import BuddyRefused
from poflow.db.models import Action, AuditEntry, Hire, Person, PersonRole, Step
from poflow.onboarding.buddy_rules import buddy_close_date
from poflow.onboarding.config import OnboardingSection
from poflow.onboarding.rules import Level, applies, event_dates, item_due
from poflow.states import ActionState, StepState
from tests.onboarding_support import (  # noqa: F401  (migrated_sqlite, sqlite_runtime: fixtures)
    KB,
    ONB_TEMPLATES,
    add_kb_hire,
    add_kb_staff,
    ctx_for,
    digest_items,
    import_examples,
    migrated_sqlite,
    run,
    sqlite_runtime,
    text_of,
)


# -- ONB-1 / ONB-2: the checklist per hire ---------------------------------------------------------
def test_onb_2_checklist_becomes_steps_with_phase_owner_and_due_date(runtime):
    """Planning a hire turns every applicable item into a step with an owner and a due date."""
    add_kb_staff(runtime)
    add_kb_hire(runtime)
    from poflow.runtime import run_day

    run_day(runtime, date(2027, 2, 1), municipality=KB, send=False)
    with runtime.factory() as session:
        steps = {
            s.key: s
            for s in session.scalars(
                select(Step).where(Step.case_id == "KB-NH-01", Step.process == "onb")
            )
        }
        assert len(steps) == 55  # a permanent contract gets every item of Bijlage 2
        flowers = steps["onb:bloemen-dopper"]
        assert (flowers.due_date, flowers.owner_role) == (date(2027, 2, 26), "facilitair")
        assert flowers.data == {
            "phase": "voor_eerste_werkdag",
            "pillar": "operationeel",
            "item": "bloemen-dopper",
        }
        assert steps["onb:evaluatiegesprek"].due_date == date(2027, 9, 1)
        assert steps["onb:een-op-een-gesprekken"].owner_id == "KB-0001"
        # poflow did these itself: the buddy is assigned and the check-ins are planned (CHK-1)
        assert steps["onb:buddy-toewijzen"].state == StepState.DONE
        assert steps["onb:bijpraatmomenten-plannen"].state == StepState.DONE
        planned = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "step.planned",
                AuditEntry.detail["hire"].as_string() == "KB-NH-01",
            )
        ).all()
        assert len(planned) >= 55


def test_onb_2_hired_staff_get_only_the_items_of_their_contract_type(sqlite_runtime):
    """An inhuur hire of nine months gets no payroll registration and no conversation cycle."""
    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime, contract="inhuur", months=9)
    from poflow.runtime import run_day

    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB, send=False)
    with sqlite_runtime.factory() as session:
        keys = set(
            session.scalars(
                select(Step.key).where(Step.case_id == "KB-NH-01", Step.process == "onb")
            )
        )
    assert "onb:personeels-salarisadministratie" not in keys
    assert "onb:gesprekscyclus-plannen" not in keys
    assert "onb:controle-id" in keys


# -- BUD-1: buddy assigned and informed ------------------------------------------------------------
def test_bud_1_onb_2_before_day_one_the_buddy_is_assigned_and_told_and_the_hire_welcomed(
    sqlite_runtime, smtp
):
    """The least busy team colleague becomes buddy and hears whom, when and what (BUD-1), and
    the hire is welcomed at home before day one and at work on day one (ONB-2)."""
    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    mails = run(sqlite_runtime, smtp, date(2027, 2, 1), date(2027, 3, 2), municipality=KB)
    with sqlite_runtime.factory() as session:
        assert session.get(Hire, "KB-NH-01").buddy_id == "KB-0002"  # medewerker, lowest id
    buddy = [(d, to, m) for d, t, to, m in mails if t == "onboarding/buddy_toegewezen"]
    assert [(d, to) for d, to, _ in buddy] == [(date(2027, 2, 15), "wim.hoekstra@kaag.example.nl")]
    body = text_of(buddy[0][2])
    assert "Fenna de Graaf" in body
    assert "maandag 1 maart 2027" in body
    assert "09:00" in body
    assert "luncht op de eerste werkdag" in body
    assert "minstens zes maanden" in body
    assert "woensdag 1 september 2027" in body  # when the trajectory closes
    welcome = [(d, t, to, m) for d, t, to, m in mails if t.startswith("onboarding/welkom")]
    assert [(d, t, to) for d, t, to, _ in welcome] == [
        (date(2027, 2, 22), "onboarding/welkom_prive", "kb-nh-01@example.org"),
        (date(2027, 3, 1), "onboarding/welkom_werk", "kb-nh-01@kaag.example.nl"),
    ]
    home = text_of(welcome[0][3])
    assert "maandag 1 maart 2027, om 09:00 uur" in home
    assert "Gemeentehuis Kaag en Braassem, receptie" in home
    assert "Je buddy is Wim Hoekstra" in home


def test_bud_1_without_team_colleagues_the_manager_is_asked_and_a_later_buddy_is_informed(
    sqlite_runtime, smtp
):
    """No colleague to pick: the "buddy toewijzen" item goes to the manager; set_buddy informs."""
    from poflow.onboarding.buddy import set_buddy

    add_kb_staff(sqlite_runtime, team_colleagues=False)
    add_kb_hire(sqlite_runtime)
    mails = run(sqlite_runtime, smtp, date(2027, 2, 1), date(2027, 2, 8), municipality=KB)
    digest = [m for d, t, to, m in mails if t == "onboarding/digest" and to.startswith("sanne.vos")]
    assert any(item == "buddy-toewijzen" for m in digest for _, _, item in digest_items(m))
    with sqlite_runtime.factory() as session, session.begin():
        session.add(
            Person(
                id="KB-0007",
                municipality=KB,
                given_name="Joris",
                family_name="Mol",
                email="joris.mol@kaag.example.nl",
                team="Bedrijfsvoering",
            )
        )
        ctx = ctx_for(sqlite_runtime, session, KB, date(2027, 2, 9), actor="KB-0001")
        with pytest.raises(BuddyRefused, match="own team"):
            set_buddy(ctx, session.get(Hire, "KB-NH-01"), "KB-0004", by="KB-0001")
        set_buddy(ctx, session.get(Hire, "KB-NH-01"), "KB-0007", by="KB-0001")
        step = ctx.step(case_type="hire", case_id="KB-NH-01", key="onb:buddy-toewijzen")
        assert step.state == StepState.DONE
    later = run(sqlite_runtime, smtp, date(2027, 2, 9), date(2027, 2, 26), municipality=KB)
    assert [(d, to) for d, t, to, _ in later if t == "onboarding/buddy_toegewezen"] == [
        (date(2027, 2, 15), "joris.mol@kaag.example.nl")
    ]  # ten working days before day one


# -- BUD-2: closing the buddy trajectory -----------------------------------------------------------
def test_bud_2_six_months_close_with_a_vier_successen_invitation_and_thanks_to_the_buddy(
    sqlite_runtime, smtp
):
    """Ten working days before six months all three are invited (.ics); on the day it closes."""
    from poflow.runtime import run_day

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB)
    seen = len(smtp.messages)
    run_day(sqlite_runtime, date(2027, 8, 18), municipality=KB)  # 10 working days before 1 Sept
    invites = [m for m in smtp.messages[seen:] if "we vieren de successen" in str(m["Subject"])]
    assert sorted(m["To"].addresses[0].addr_spec for m in invites) == [
        "kb-nh-01@kaag.example.nl",
        "sanne.vos@kaag.example.nl",
        "wim.hoekstra@kaag.example.nl",
    ]
    ics = next(p for p in invites[0].walk() if p.get_content_type() == "text/calendar")
    assert "METHOD:REQUEST" in ics.get_content()
    assert "DTSTART;TZID=Europe/Amsterdam:20270901T150000" in ics.get_content().replace("\r\n ", "")
    seen = len(smtp.messages)
    run_day(sqlite_runtime, date(2027, 9, 1), municipality=KB)
    closing = [m for m in smtp.messages[seen:] if "Buddytraject met" in str(m["Subject"])]
    assert [m["To"].addresses[0].addr_spec for m in closing] == ["wim.hoekstra@kaag.example.nl"]
    with sqlite_runtime.factory() as session:
        step = session.scalar(select(Step).where(Step.case_id == "KB-NH-01", Step.key == "buddy"))
        assert (step.state, step.done_by) == (StepState.DONE, "system")
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "buddy.closed"))


# -- ONB-5: moves and cancellations ----------------------------------------------------------------
def test_onb_5_a_moved_start_date_moves_every_open_item_notice_and_welcome(sqlite_runtime, smtp):
    """After a move open items get the new dates; nothing goes out on the old dates."""
    from poflow.hires.services import move_hire

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run(sqlite_runtime, smtp, date(2027, 2, 1), date(2027, 2, 3), municipality=KB)
    with sqlite_runtime.factory() as session, session.begin():
        done = ctx_for(sqlite_runtime, session, KB, date(2027, 2, 3))
        from poflow.onboarding.steps import complete_item

        complete_item(done, "KB-NH-01", "controle-id", by="KB-0006")
        move_hire(session, sqlite_runtime.config(KB), "KB-NH-01", date(2027, 4, 1), actor="cli")
    mails = run(sqlite_runtime, smtp, date(2027, 2, 4), date(2027, 4, 1), municipality=KB)
    with sqlite_runtime.factory() as session:
        steps = {
            s.key: s
            for s in session.scalars(
                select(Step).where(Step.case_id == "KB-NH-01", Step.process == "onb")
            )
        }
        assert steps["onb:bloemen-dopper"].due_date == date(2027, 3, 31)
        assert steps["onb:evaluatiegesprek"].due_date == date(2027, 10, 1)
        assert steps["onb:controle-id"].state == StepState.DONE  # done stays done
        checkin = session.scalar(
            select(Step).where(Step.case_id == "KB-NH-01", Step.key == "checkin:1")
        )
        assert checkin.due_date == date(2027, 5, 3)  # the check-ins move along (CHK-1)
        stale = session.scalars(
            select(Action).where(Action.case_id == "KB-NH-01", Action.key.like("%:2027-02-26"))
        ).all()
        assert stale
        assert all(a.state == ActionState.CANCELLED for a in stale)
    welcome = [(d, t) for d, t, _, _ in mails if t.startswith("onboarding/welkom")]
    # Five working days before Thursday 1 April 2027, skipping Easter Monday 29 March.
    assert welcome == [
        (date(2027, 3, 24), "onboarding/welkom_prive"),
        (date(2027, 4, 1), "onboarding/welkom_werk"),
    ]
    flowers = [
        (d, lvl)
        for d, t, to, m in mails
        if t == "onboarding/digest"
        for lvl, _, item in digest_items(m)
        if item == "bloemen-dopper"
    ]
    assert flowers == [(date(2027, 3, 23), Level.ANNOUNCE)]  # 5 working days before 31 March
    buddy = [d for d, t, _, _ in mails if t == "onboarding/buddy_toegewezen"]
    assert buddy == [date(2027, 3, 17)]


def test_onb_5_a_move_after_the_invitation_sends_an_updated_vier_successen_invitation(
    sqlite_runtime, smtp
):
    """The sent invitation is updated: same calendar uid, a higher SEQUENCE, the new date."""
    from poflow.hires.services import move_hire
    from poflow.runtime import run_day

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB)
    run_day(sqlite_runtime, date(2027, 8, 18), municipality=KB)
    with sqlite_runtime.factory() as session, session.begin():
        move_hire(session, sqlite_runtime.config(KB), "KB-NH-01", date(2027, 3, 15), actor="cli")
    mails = run(sqlite_runtime, smtp, date(2027, 8, 19), date(2027, 9, 16), municipality=KB)
    updates = [(d, to, m) for d, t, to, m in mails if t == "onboarding/vier_successen"]
    assert sorted(to for _, to, _ in updates) == [
        "kb-nh-01@kaag.example.nl",
        "sanne.vos@kaag.example.nl",
        "wim.hoekstra@kaag.example.nl",
    ]
    day, _, msg = updates[0]
    assert day == date(2027, 9, 1)  # 10 working days before Wednesday 15 September
    assert str(msg["Subject"]).startswith("Gewijzigd: ")
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "SEQUENCE:1" in ics
    assert "20270915T150000" in ics.replace("\r\n ", "")
    closings = [d for d, t, _, _ in mails if t == "onboarding/buddy_afgesloten"]
    assert closings == [date(2027, 9, 15)]  # not on the old date, 1 September


def test_onb_5_a_cancelled_hire_gets_nothing_more_and_sent_invitations_are_withdrawn(
    sqlite_runtime, smtp
):
    """Cancelling after the vier-successen invitation sends a CANCEL, then silence for that hire."""
    from poflow.hires.services import cancel_hire
    from poflow.runtime import run_day

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB)
    run_day(sqlite_runtime, date(2027, 8, 18), municipality=KB)
    with sqlite_runtime.factory() as session, session.begin():
        cancel_hire(session, "KB-NH-01", actor="cli", today=date(2027, 8, 19))
    mails = run(sqlite_runtime, smtp, date(2027, 8, 19), date(2027, 10, 1), municipality=KB)
    cancels = [
        to
        for d, _, to, m in mails
        if d == date(2027, 8, 19)
        and any(
            "METHOD:CANCEL" in p.get_content() and "vier successen" in p.get_content()
            for p in m.walk()
            if p.get_content_type() == "text/calendar"
        )
    ]
    assert sorted(cancels) == [
        "kb-nh-01@kaag.example.nl",
        "sanne.vos@kaag.example.nl",
        "wim.hoekstra@kaag.example.nl",
    ]
    others = [(d, t) for d, t, _, m in mails if t in ONB_TEMPLATES]
    assert others == []


# -- ONB-3 over a year: the example hires ----------------------------------------------------------
def _expected(rt: Any, first: date) -> tuple[list[tuple], list[tuple]]:
    """(day, address, hire, item, level) of every digest line, and (day, template, address)."""
    cfg = rt.config("hardenberg")
    cal, onb = cfg.calendar, cfg.section("onboarding", OnboardingSection)
    notices: dict[tuple, Level] = {}
    other: list[tuple] = []
    with rt.factory() as session:
        hires = session.scalars(select(Hire).where(Hire.municipality == "hardenberg")).all()
        email = {p.id: p.email for p in session.scalars(select(Person))}
        roles = {}
        for r in session.scalars(select(PersonRole).where(PersonRole.municipality == "hardenberg")):
            roles.setdefault(r.role, []).append(r.person_id)
        po = str(cfg.municipality.po_mailbox)
        for h in hires:
            fwd = h.first_working_day
            for item in onb.items:
                if not applies(item, h.contract_type, h.contract_months) or item.system:
                    continue
                due = item_due(cal, fwd, item.due)
                for level, day in event_dates(
                    cal, onb, due=due, owner=item.owner, planned_on=first
                ).items():
                    if level == Level.ESCALATE_PO:
                        to = [po]
                    elif level == Level.ESCALATE_MANAGER or item.owner == "leidinggevende":
                        to = [email[h.manager_id]]
                    elif item.owner == "buddy":
                        to = [email[h.buddy_id]]
                    elif item.owner == "medewerker":
                        to = [h.private_email if day < fwd else h.work_email]
                    elif item.owner == "po_adviseur":
                        to = [po]
                    else:
                        to = [email[p] for p in roles[item.owner]]
                    for address in to:
                        key = (day, address, h.id, item.key)
                        notices[key] = max(notices.get(key, level), level, key=list(Level).index)
            close = buddy_close_date(
                cal, fwd, months=onb.buddy_months, contract_months=h.contract_months
            )
            other += [
                (
                    cal.add_working_days(fwd, -onb.welcome_working_days_before),
                    "onboarding/welkom_prive",
                    h.private_email,
                ),
                (fwd, "onboarding/welkom_werk", h.work_email),
                (
                    max(first, cal.add_working_days(fwd, -onb.buddy_inform_working_days_before)),
                    "onboarding/buddy_toegewezen",
                    email[h.buddy_id],
                ),
                (close, "onboarding/buddy_afgesloten", email[h.buddy_id]),
            ]
            invite = cal.add_working_days(close, -onb.celebration.invite_working_days_before)
            other += [
                (invite, "onboarding/vier_successen", a)
                for a in (email[h.buddy_id], h.work_email, email[h.manager_id])
            ]
    return sorted((*k, v) for k, v in notices.items()), sorted(other)


def test_onb_3_a_year_of_ticks_sends_each_notice_and_mail_exactly_once_on_its_working_day(
    sqlite_runtime, smtp
):
    """Over 2027 every checklist notice, reminder and escalation arrives once, on its day."""
    import_examples(sqlite_runtime)
    first, last = date(2027, 1, 4), date(2027, 12, 31)
    mails = run(sqlite_runtime, smtp, first, last, municipality="hardenberg")
    expected_notices, expected_other = _expected(sqlite_runtime, first)
    got = [
        (d, to, hire, item, level)
        for d, t, to, m in mails
        if t == "onboarding/digest"
        for level, hire, item in digest_items(m)
    ]
    assert Counter(got).most_common(1)[0][1] == 1  # nothing twice
    assert sorted(got) == expected_notices
    digests = Counter((d, to) for d, t, to, _ in mails if t == "onboarding/digest")
    assert set(digests.values()) == {1}  # one digest per recipient per day
    assert all(sqlite_runtime.config("hardenberg").calendar.is_working_day(d) for d, _ in digests)
    other = sorted(
        (d, t, to) for d, t, to, _ in mails if t in ONB_TEMPLATES and t != "onboarding/digest"
    )
    assert other == expected_other
    levels = Counter(level for *_, level in got)
    assert levels[Level.ESCALATE_PO] > 0
    assert levels[Level.ESCALATE_MANAGER] > 0
    from poflow.runtime import run_day

    seen = len(smtp.messages)
    run_day(sqlite_runtime, date(2027, 3, 1), municipality="hardenberg")  # a re-run of a past day
    assert len(smtp.messages) == seen
