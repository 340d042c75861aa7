"""Tests of the check-ins at 1, 3 and 8 months (CHK-1..3) and of moving or cancelling a hire."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
from sqlalchemy import select

from poflow.checkins.handlers import checkin_dates, record_checkin_held
from poflow.db.models import Step
from poflow.engine import Context
from poflow.hires.services import cancel_hire, move_hire
from poflow.kernel.calendar import WorkCalendar
from poflow.runtime import run_day
from poflow.states import StepState

from .conftest import SmtpRecorder

DIRK = "dirk.mulder@hardenberg.example.nl"
LOTTE_PRIVATE = "lotte.hendriks@example.org"
LOTTE_WORK = "lotte.hendriks@hardenberg.example.nl"
PO = "po@hardenberg.example.nl"


def simulate(rt: Any, smtp: SmtpRecorder, first: date, last: date) -> dict[date, list]:
    """Run every day from first to last; return the messages received per day."""
    per_day: dict[date, list[EmailMessage]] = defaultdict(list)
    day = first
    while day <= last:
        before = len(smtp.messages)
        run_day(rt, day)
        per_day[day].extend(smtp.messages[before:])
        day += timedelta(days=1)
    return per_day


def mails(per_day: dict[date, list], *, to: str, subject: str) -> list[date]:
    """The days on which a mail with `subject` in its subject reached `to`."""
    return [
        d
        for d, msgs in sorted(per_day.items())
        for m in msgs
        if to in str(m["To"]) and subject in str(m["Subject"])
    ]


def ics_of(msg: EmailMessage) -> icalendar.Calendar:
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_content())


def test_chk_1_talks_fall_1_3_and_8_months_after_the_first_working_day():
    """Start 1 Feb 2027: talks on 1 Mar, 3 May (1 May is a Saturday) and 1 Oct 2027."""
    assert checkin_dates(WorkCalendar(), date(2027, 2, 1), [1, 3, 8]) == [
        date(2027, 3, 1),
        date(2027, 5, 3),
        date(2027, 10, 1),
    ]


def test_chk_1_2_3_a_simulated_year_sends_each_mail_once_on_the_right_working_day(
    example_data: Any, smtp: SmtpRecorder
):
    """Invitations before day one, reminders, the record request and the escalation come once."""
    rt = example_data
    per_day = simulate(rt, smtp, date(2027, 1, 4), date(2027, 3, 1))
    # CHK-1/2: all three invitations go out on the first tick, to the private address
    assert (
        mails(per_day, to=LOTTE_PRIVATE, subject="Uitnodiging bij praat moment")
        == [date(2027, 1, 4)] * 3
    )
    assert mails(per_day, to=DIRK, subject="na 1 maand(en) – Lotte") == [date(2027, 1, 4)]
    invite = next(
        m
        for m in per_day[date(2027, 1, 4)]
        if LOTTE_PRIVATE in str(m["To"]) and "na 1 maand" in str(m["Subject"])
    )
    event = next(iter(ics_of(invite).walk("VEVENT")))
    assert event["DTSTART"].dt.date() == date(2027, 3, 1)
    # CHK-2: reminder two working days before the talk, at the work address after day one
    assert mails(per_day, to=LOTTE_WORK, subject="Herinnering") == [date(2027, 2, 25)]
    assert mails(per_day, to=DIRK, subject="Herinnering: bij praat moment maandag 1 maart") == [
        date(2027, 2, 25)
    ]

    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", date(2027, 3, 1))
        record_checkin_held(ctx, "NH-2027-001", 1, by="HB-0004", note="Gaat goed.")
    per_day.update(simulate(rt, smtp, date(2027, 3, 2), date(2027, 12, 31)))

    # CHK-3: the held talk asks nothing more; Milan's (15 Mar, not recorded) is chased
    assert mails(per_day, to=DIRK, subject="Heeft het bij praat moment met Lotte") == [
        date(2027, 5, 4),
        date(2027, 10, 4),
    ]
    assert mails(
        per_day,
        to="femke.bos@hardenberg.example.nl",
        subject="Heeft het bij praat moment met Milan",
    )[0] == date(2027, 3, 16)
    assert mails(per_day, to=PO, subject="niet vastgelegd: Lotte Hendriks (1 maand") == []
    assert mails(per_day, to=PO, subject="niet vastgelegd: Milan Dekker (1 maand") == [
        date(2027, 3, 22)
    ]
    # every message arrived once, and no two say the same thing to the same person
    received = [m for msgs in per_day.values() for m in msgs if "praat moment" in m["Subject"]]
    assert len({m["Message-ID"] for m in received}) == len(received)
    seen = [(str(m["To"]), str(m["Subject"])) for m in received]
    assert len(seen) == len(set(seen))


def test_chk_2_the_held_note_is_stored_and_the_step_is_closed(example_data: Any):
    """Recording a talk closes its step with who and the note; a second record is refused."""
    import pytest

    from poflow._exceptions import IllegalTransition

    rt = example_data
    run_day(rt, date(2027, 1, 4), send=False)
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", date(2027, 3, 1))
        step = record_checkin_held(ctx, "NH-2027-001", 1, by="HB-0004", note="Prima start.")
        assert (step.state, step.done_by, step.note) == (StepState.DONE, "HB-0004", "Prima start.")
    with pytest.raises(IllegalTransition, match="from 'done'"), rt.factory() as s, s.begin():
        record_checkin_held(
            rt.context(s, "hardenberg", date(2027, 3, 2)),
            "NH-2027-001",
            1,
            by="HB-0004",
        )


def test_a_second_run_of_the_same_day_sends_nothing(example_data: Any, smtp: SmtpRecorder):
    """Running the dispatcher day twice sends every message once (X-1)."""
    rt = example_data
    first = run_day(rt, date(2027, 1, 4))
    again = run_day(rt, date(2027, 1, 4))
    assert again == {"planned": 0, "performed": 0, "skipped": 0, "failed": 0, "sent": 0}
    assert len(smtp.messages) == first["sent"]
    assert len([m for m in smtp.messages if "Uitnodiging bij praat" in m["Subject"]]) == 24


def test_onb_5_a_moved_start_date_sends_updated_invitations_with_the_same_uid(
    example_data: Any, smtp: SmtpRecorder
):
    """Moving a hire re-invites with SEQUENCE 1 and the old UID, and reminds on the new dates."""
    rt = example_data
    run_day(rt, date(2027, 1, 4))
    noor_first = {
        str(next(iter(ics_of(m).walk("VEVENT")))["UID"]): m
        for m in smtp.messages
        if "noor.bakker@example.org" in str(m["To"])
    }
    with rt.factory() as session, session.begin():
        move_hire(
            session, rt.config("hardenberg"), "NH-2027-003", date(2027, 4, 1), actor="HB-0002"
        )
    before = len(smtp.messages)
    per_day = simulate(rt, smtp, date(2027, 1, 5), date(2027, 5, 31))
    updates = [
        m
        for m in smtp.messages[before:]
        if "noor.bakker@example.org" in str(m["To"]) and str(m["Subject"]).startswith("Gewijzigd: ")
    ]
    assert len(updates) == 3
    for m in updates:
        event = next(iter(ics_of(m).walk("VEVENT")))
        assert str(event["UID"]) in noor_first
        assert int(event["SEQUENCE"]) == 1
    one_month = next(m for m in updates if "na 1 maand" in str(m["Subject"]))
    assert next(iter(ics_of(one_month).walk("VEVENT")))["DTSTART"].dt.date() == date(2027, 5, 3)
    # no reminder for the old date (1 Apr 2027), one for the new (3 May 2027)
    assert mails(per_day, to="noor.bakker@hardenberg.example.nl", subject="Herinnering") == [
        date(2027, 4, 29)
    ]


def test_onb_5_a_cancelled_hire_gets_calendar_cancellations_and_nothing_else(
    example_data: Any, smtp: SmtpRecorder
):
    """Cancelling withdraws every sent invitation (METHOD:CANCEL) and then sends nothing."""
    rt = example_data
    run_day(rt, date(2027, 1, 4))
    with rt.factory() as session, session.begin():
        cancel_hire(session, "NH-2027-004", actor="HB-0002", today=date(2027, 1, 5))
    before = len(smtp.messages)
    simulate(rt, smtp, date(2027, 1, 5), date(2027, 12, 31))
    olaf = [
        m
        for m in smtp.messages[before:]
        if "Olaf" in str(m["Subject"]) or "olaf.meijer" in str(m["To"])
    ]
    cancels = [
        m
        for m in smtp.messages[before:]
        if str(m["Subject"]).startswith("Geannuleerd") and ics_of(m)["METHOD"] == "CANCEL"
    ]
    # three talks, each withdrawn for the manager and for Olaf
    assert len(cancels) == 6
    assert {str(m["To"]).split("<")[-1].rstrip(">") for m in cancels} == {
        "femke.bos@hardenberg.example.nl",
        "olaf.meijer@example.org",
    }
    assert all(m in cancels for m in olaf)
    with rt.factory() as session:
        states = set(
            session.scalars(
                select(Step.state).where(Step.case_id == "NH-2027-004", Step.process == "chk")
            )
        )
    assert states == {StepState.CANCELLED}
