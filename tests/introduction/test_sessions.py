"""Tests of the group sessions: cohorts, invitations, answers, attendance, spill (INT-3, INT-4)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from poflow._exceptions import ActionRefused
from poflow.hires.services import cancel_hire, move_hire
from poflow.introduction.attendance import participant, record_attendance
from poflow.introduction.models import Certificate, IntroSession
from poflow.introduction.sessions import plan_sessions
from poflow.introduction.states import ParticipationStatus
from poflow.runtime import run_day
from tests.introduction.support import (
    GEMEENTESECRETARIS,
    PO_BRAM,
    Spec,
    add_hires,
    body,
    ctx_for,
    follow_link,
    invitation,
    messages,
    plan_all,
    received,
    run_capture,
    staff,
    tokens,
)
from tests.support import ics_of

A, B, C = "NH-T-A", "NH-T-B", "NH-T-C"
A_WORK, B_WORK = ("nhta@hardenberg.example.nl", "nhtb@hardenberg.example.nl")
START_FEB = "Uitnodiging Startbijeenkomst op maandag 22 februari 2027"
START_APR = "Startbijeenkomst op maandag 5 april 2027"


def _setup(rt: Any, extra: list[Spec] | None = None) -> None:
    staff(rt)
    add_hires(
        rt,
        [
            Spec(A, "vast", None, date(2027, 2, 1)),
            Spec(B, "tijdelijk", 12, date(2027, 2, 5)),  # at work before the invitations
            Spec(C, "vast", None, date(2027, 3, 1)),
            *(extra or []),
        ],
    )


def test_int_3_start_meeting_invites_who_started_with_ics_links_host_and_reminder(
    runtime: Any, smtp: Any
):
    """INT-3: the window opens 10 working days before 22 Feb; A and B are invited with .ics and
    answer links, the gemeentesecretaris hosts, a reminder follows; C (starts 1 Mar) waits.
    Every other process runs alongside, on SQLite and PostgreSQL."""
    _setup(runtime)
    per_day = run_capture(runtime, smtp, date(2027, 2, 1), date(2027, 2, 23))
    assert received(per_day, to=A_WORK, subject=START_FEB) == [date(2027, 2, 8)]
    assert received(per_day, to=B_WORK, subject=START_FEB) == [date(2027, 2, 8)]
    assert received(per_day, to="nhtc", subject="Startbijeenkomst") == []
    invite = messages(per_day, to=A_WORK, subject=START_FEB)[0]
    summary, day, method = invitation(invite)
    assert (summary, day, method) == ("Startbijeenkomst", date(2027, 2, 22), "REQUEST")
    assert len(tokens(invite)) == 2  # "ik kom" and "ik kan niet"
    host = messages(per_day, to=GEMEENTESECRETARIS, subject="Startbijeenkomst")
    assert len(host) == 1
    assert invitation(host[0])[1] == date(2027, 2, 22)
    assert "Test Nieuw NH-T-A" in body(host[0])
    assert "Test Nieuw NH-T-B" in body(host[0])
    assert received(per_day, to=B_WORK, subject="Herinnering: Startbijeenkomst") == [
        date(2027, 2, 18)
    ]
    assert received(per_day, to=PO_BRAM, subject="Aanwezigheid vastleggen: Startbijeenkomst") == [
        date(2027, 2, 23)
    ]
    before = len(smtp.messages)
    plan_all(runtime, date(2027, 2, 8), ("start",))
    plan_all(runtime, date(2027, 2, 19), ("start",))
    with runtime.factory() as session:
        s = session.scalar(select(IntroSession).where(IntroSession.series == "start"))
        assert sorted(p.hire_id for p in s.participants) == [A, B]
    assert len(smtp.messages) == before  # a re-run invites nobody twice


def test_int_3_a_session_invitation_never_arrives_before_the_welcome_mail(runtime: Any, smtp: Any):
    """INT-3: D starts on 15 Feb, inside the 22 Feb meeting's window: her invitation comes after
    her welcome mails, from the day after her first working day, never before."""
    d_work, d_private = "nhtd@hardenberg.example.nl", "nhtd@example.org"
    _setup(runtime, [Spec("NH-T-D", "vast", None, date(2027, 2, 15))])
    per_day = run_capture(runtime, smtp, date(2027, 2, 1), date(2027, 2, 19))
    assert received(per_day, to=d_work, subject=START_FEB) == [date(2027, 2, 16)]
    assert received(per_day, to=d_private, subject="Startbijeenkomst") == []
    welcomes = received(per_day, to=d_work, subject="Welkom")
    assert welcomes
    assert max(welcomes) < date(2027, 2, 16)


@pytest.mark.usefixtures("int_only")
def test_int_3_a_decline_by_link_skips_the_reminder_and_reinvites_to_the_next_meeting(
    sqlite_runtime: Any, smtp: Any
):
    """INT-3: B declines by link; no reminder, and B gets a new invitation for 5 April."""
    rt = sqlite_runtime
    _setup(rt)
    per_day = run_capture(rt, smtp, date(2027, 2, 1), date(2027, 2, 9))
    no = tokens(messages(per_day, to=B_WORK, subject=START_FEB)[0])[1]
    assert "Jammer" in follow_link(rt, no, date(2027, 2, 9))
    yes_a, no_a = tokens(messages(per_day, to=A_WORK, subject=START_FEB)[0])
    assert "Fijn dat je erbij bent" in follow_link(rt, yes_a, date(2027, 2, 9))
    later = run_capture(rt, smtp, date(2027, 2, 10), date(2027, 3, 25))
    assert received(later, to=B_WORK, subject="Herinnering: Startbijeenkomst") == []
    assert received(later, to=A_WORK, subject="Herinnering: Startbijeenkomst") == [
        date(2027, 2, 18)
    ]
    with pytest.raises(ActionRefused, match="al geweest"):
        follow_link(rt, no_a, date(2027, 2, 23))  # too late to answer
    assert received(later, to=B_WORK, subject="Nieuwe kans: Uitnodiging " + START_APR) == [
        date(2027, 3, 19)
    ]
    assert received(later, to="nhtc@", subject="Uitnodiging " + START_APR) == [date(2027, 3, 19)]


@pytest.mark.usefixtures("int_only")
def test_int_3_attendance_by_po_link_and_unrecorded_ones_count_as_missed(
    sqlite_runtime: Any, smtp: Any
):
    """INT-3: P&O marks A present by link; B is never recorded, counts as missed after 5
    working days and only B is re-invited to 5 April."""
    runtime = sqlite_runtime
    _setup(runtime)
    per_day = run_capture(runtime, smtp, date(2027, 2, 1), date(2027, 2, 23))
    ask = messages(per_day, to=PO_BRAM, subject="Aanwezigheid vastleggen")[0]
    text = body(ask)
    assert "Test Nieuw NH-T-A (NH-T-A)" in text
    present_a = tokens(ask)[0]  # rows in invitation order: A first, links present/absent
    assert "was aanwezig" in follow_link(runtime, present_a, date(2027, 2, 23))
    later = run_capture(runtime, smtp, date(2027, 2, 24), date(2027, 3, 25))
    with runtime.factory() as session:
        ctx = ctx_for(runtime, session, date(2027, 3, 25))
        s = session.scalar(
            select(IntroSession).where(IntroSession.session_date == date(2027, 2, 22))
        )
        assert participant(ctx, s.id, A).status == ParticipationStatus.ATTENDED
        assert participant(ctx, s.id, B).status == ParticipationStatus.MISSED
    assert received(later, to=B_WORK, subject="Nieuwe kans: Uitnodiging " + START_APR) == [
        date(2027, 3, 19)
    ]
    assert received(later, to=A_WORK, subject="Startbijeenkomst op") == []


@pytest.mark.usefixtures("int_only")
def test_int_3_a_full_session_spills_to_the_next_with_a_friendly_notice(
    sqlite_runtime: Any, smtp: Any
):
    """INT-3: with one seat, B (the later starter) is told the next date and seated first then."""
    rt = sqlite_runtime
    _setup(rt)
    cfg = rt.config("hardenberg")
    intro = cfg.sections["introduction"]
    small = cfg.model_copy(
        update={
            "sections": {
                **cfg.sections,
                "introduction": intro.model_copy(
                    update={"start_meeting": intro.start_meeting.model_copy(update={"capacity": 1})}
                ),
            }
        }
    )
    run_day(rt, date(2027, 2, 1))  # plans the hires (enrolment)
    with rt.factory() as session, session.begin():
        plan = plan_sessions(rt.context(session, small, date(2027, 2, 8)), "start")
    assert (plan.invited, plan.spilled) == ([A], [B])
    run_day(rt, date(2027, 2, 8))
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 2, 23), "HB-0002")
        s = session.scalar(select(IntroSession).where(IntroSession.series == "start"))
        record_attendance(ctx, participant(ctx, s.id, A), attended=True, by="HB-0002")
    vol = [m for m in smtp.messages if B_WORK in str(m["To"]) and "volgende" in str(m["Subject"])]
    assert len(vol) == 1
    assert "maandag 5 april 2027" in str(vol[0]["Subject"])
    with rt.factory() as session, session.begin():
        plan = plan_sessions(rt.context(session, small, date(2027, 3, 19)), "start")
    assert (plan.invited, plan.reinvited, plan.spilled) == ([B], [B], [C])
    with rt.factory() as session:
        s = session.scalar(
            select(IntroSession).where(IntroSession.session_date == date(2027, 4, 5))
        )
        assert [(p.hire_id, p.reason) for p in s.participants] == [(B, "waitlist"), (C, "spill")]


@pytest.mark.usefixtures("int_only")
def test_onb_5_a_cancelled_hire_loses_the_place_with_a_calendar_cancellation(
    sqlite_runtime: Any, smtp: Any
):
    """ONB-5/INT-3: after cancelling B, the next planning day withdraws B's place (METHOD
    CANCEL)."""
    rt = sqlite_runtime
    _setup(rt)
    run_capture(rt, smtp, date(2027, 2, 1), date(2027, 2, 8))
    with rt.factory() as session, session.begin():
        cancel_hire(session, B, actor="HB-0002", today=date(2027, 2, 9))
    per_day = run_capture(rt, smtp, date(2027, 2, 9), date(2027, 2, 23))
    cancel = messages(per_day, to=B_WORK, subject="Geannuleerd: Startbijeenkomst")
    assert len(cancel) == 1
    assert invitation(cancel[0])[2] == "CANCEL"
    assert received(per_day, to=B_WORK, subject="Herinnering") == []


@pytest.mark.usefixtures("int_only")
def test_int_4_attending_a_classroom_module_gives_a_certificate_of_participation(
    sqlite_runtime: Any, smtp: Any
):
    """INT-4: the eed module follows the start meeting; attending it certifies it and mails it."""
    rt = sqlite_runtime
    _setup(rt)
    per_day = run_capture(rt, smtp, date(2027, 2, 1), date(2027, 3, 15), series=None)
    eed = messages(per_day, to=A_WORK, subject="Uitnodiging Module: eed of belofte")
    assert [invitation(m)[1] for m in eed] == [date(2027, 3, 15)]
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 3, 16), "HB-0002")
        s = session.scalar(select(IntroSession).where(IntroSession.series == "eed"))
        record_attendance(ctx, participant(ctx, s.id, A), attended=True, by="HB-0002")
    per_day = run_capture(rt, smtp, date(2027, 3, 16), date(2027, 3, 16))
    assert received(per_day, to=A_WORK, subject="Bewijs van deelname: Afleggen eed") == [
        date(2027, 3, 16)
    ]
    with rt.factory() as session:
        cert = session.scalar(select(Certificate).where(Certificate.hire_id == A))
        assert (cert.item, cert.completed_on, cert.source) == ("eed", date(2027, 3, 15), "aanwezig")
    ics = ics_of(eed[0])
    assert ics is not None
    start = next(iter(ics.walk("VEVENT"))).decoded("DTSTART")
    assert start == datetime(2027, 3, 15, 15, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.usefixtures("int_only")
def test_onb_5_a_hire_moved_past_the_session_is_withdrawn_and_joins_the_next_one(
    sqlite_runtime: Any, smtp: Any
):
    """ONB-5/INT-3: B, invited for 22 Feb, moves to start on 1 Mar: B's place is cancelled with
    a calendar CANCEL and B is invited to 5 April as a new starter."""
    rt = sqlite_runtime
    _setup(rt)
    run_capture(rt, smtp, date(2027, 2, 1), date(2027, 2, 8))
    with rt.factory() as session, session.begin():
        move_hire(session, rt.config("hardenberg"), B, date(2027, 3, 1), actor="HB-0002")
    per_day = run_capture(rt, smtp, date(2027, 2, 9), date(2027, 3, 19))
    cancel = messages(per_day, to=B_WORK, subject="Geannuleerd: Startbijeenkomst")
    assert [invitation(m)[1:] for m in cancel] == [(date(2027, 2, 22), "CANCEL")]
    assert received(per_day, to=B_WORK, subject="Uitnodiging " + START_APR) == [date(2027, 3, 19)]
