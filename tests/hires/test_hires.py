"""Tests of moving and cancelling a hire (ONB-5): updated invitations with the same UID, calendar
cancellations, nothing more for a cancelled hire."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from poflow.db.models import Step
from poflow.hires.services import cancel_hire, move_hire
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conftest import SmtpRecorder
from tests.support import ics_of, mails, simulate

DIRK = "dirk.mulder@hardenberg.example.nl"
LOTTE_PRIVATE = "lotte.hendriks@example.org"
LOTTE_WORK = "lotte.hendriks@hardenberg.example.nl"
PO = "po@hardenberg.example.nl"


def test_onb_5_a_moved_start_date_sends_updated_invitations_with_the_same_uid(
    example_data: Any, smtp: SmtpRecorder
):
    """Moving a hire re-invites the leidinggevende at once with SEQUENCE 1 and the old UID; the
    hire is invited to the same events on her new first day, and reminded on the new dates."""
    rt = example_data
    run_day(rt, date(2027, 1, 4))
    dirk_first = {
        str(next(iter(ics_of(m).walk("VEVENT")))["UID"]): m
        for m in smtp.messages
        if DIRK in str(m["To"]) and "Noor Bakker" in str(m["Subject"]) and ics_of(m) is not None
    }
    assert len(dirk_first) == 2  # a five-month internship: no talk at eight months
    with rt.factory() as session, session.begin():
        move_hire(
            session,
            rt.config("hardenberg"),
            "NH-2027-003",
            date(2027, 4, 1),
            actor="HB-0002",
            today=date(2027, 1, 5),
        )
    before = len(smtp.messages)
    per_day = simulate(rt, smtp, date(2027, 1, 5), date(2027, 5, 31))
    updates = [
        m
        for m in smtp.messages[before:]
        if DIRK in str(m["To"]) and str(m["Subject"]).startswith("Gewijzigd: Uitnodiging")
    ]
    assert mails(per_day, to=DIRK, subject="Gewijzigd: Uitnodiging") == [date(2027, 1, 5)] * 2
    noor = [
        m
        for m in smtp.messages[before:]
        if "noor.bakker@hardenberg.example.nl" in str(m["To"]) and ics_of(m) is not None
    ]
    assert (
        mails(per_day, to="noor.bakker@hardenberg.example.nl", subject="Uitnodiging")
        == [date(2027, 4, 1)] * 2
    )
    for m in updates + noor:
        event = next(iter(ics_of(m).walk("VEVENT")))
        assert str(event["UID"]) in dirk_first
        assert int(event["SEQUENCE"]) == 1
    one_month = next(m for m in updates if "na een maand" in str(m["Subject"]))
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
    # three talks, each withdrawn for the manager; Olaf (starting 1 March) was not invited yet
    assert len(cancels) == 3
    assert {str(m["To"]).split("<")[-1].rstrip(">") for m in cancels} == {
        "femke.bos@hardenberg.example.nl",
    }
    # besides the cancellations, Femke (already told) hears once that Olaf will not start
    told = [m for m in olaf if m not in cancels]
    assert [str(m["Subject"]) for m in told] == [
        "Gaat niet door: Olaf Meijer begint niet op maandag 1 maart 2027"
    ]
    with rt.factory() as session:
        states = set(
            session.scalars(
                select(Step.state).where(Step.case_id == "NH-2027-004", Step.process == "chk")
            )
        )
    assert states == {StepState.CANCELLED}
