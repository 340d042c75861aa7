"""Tests of the welcome and buddy mails (ONB-2, BUD-1, BUD-2)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from poflow.db.models import AuditEntry, Hire, Step
from poflow.states import StepState
from tests.onboarding.support import KB, add_kb_hire, add_kb_staff, run, text_of


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
