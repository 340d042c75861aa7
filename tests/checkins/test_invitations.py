"""Tests of whom a check-in invitation reaches, when, and what it says (CHK-1, CHK-2): the new
employee at the work address from day one after the welcome, nothing past the contract's end,
and texts right for the day they are read."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from poflow.checkins.config import CheckinSection
from poflow.db.models import Step
from poflow.runtime import run_day
from tests.conftest import SmtpRecorder
from tests.support import ics_of, simulate

DIRK = "dirk.mulder@hardenberg.example.nl"
LOTTE_PRIVATE = "lotte.hendriks@example.org"
LOTTE_WORK = "lotte.hendriks@hardenberg.example.nl"


def _text(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def _attendees(msg: EmailMessage) -> set[str]:
    event = next(iter(ics_of(msg).walk("VEVENT")))
    found = event.get("ATTENDEE", [])
    return {str(a).removeprefix("mailto:") for a in (found if isinstance(found, list) else [found])}


def test_chk_2_the_new_employee_is_invited_at_work_after_the_welcome_never_at_home(
    example_data: Any, smtp: SmtpRecorder
):
    """No invitation reaches or names the private address; the new employee's come on her first
    working day at the work address, after the welcome mails at home and at work."""
    simulate(example_data, smtp, date(2027, 1, 4), date(2027, 2, 2))
    order = list(smtp.messages)
    with_ics = [m for m in order if ics_of(m) is not None]
    assert with_ics
    assert not [m for m in with_ics if LOTTE_PRIVATE in str(m["To"])]
    assert not [m for m in with_ics if LOTTE_PRIVATE in _attendees(m)]
    to_lotte = [m for m in with_ics if LOTTE_WORK in str(m["To"])]
    assert len(to_lotte) == 3
    welcome_home = next(
        i for i, m in enumerate(order) if LOTTE_PRIVATE in str(m["To"]) and "Welkom" in m["Subject"]
    )
    welcome_work = next(
        i
        for i, m in enumerate(order)
        if LOTTE_WORK in str(m["To"]) and "Welkom op je eerste werkdag" in m["Subject"]
    )
    assert welcome_home < welcome_work < min(order.index(m) for m in to_lotte)
    dirk_lotte = [m for m in with_ics if DIRK in str(m["To"]) and "Lotte" in m["Subject"]]
    assert dirk_lotte
    assert all(_attendees(m) == {DIRK, LOTTE_WORK} for m in dirk_lotte + to_lotte)


def test_chk_1_no_talk_is_planned_past_the_contract_end_unless_configured(
    example_data: Any, monkeypatch: pytest.MonkeyPatch
):
    """An intern on five months gets the talks at one and three months, none at eight; with
    plan_past_contract_end she gets all three."""
    rt = example_data

    def talks(hire_id: str) -> set[str]:
        with rt.factory() as session:
            return set(
                session.scalars(
                    select(Step.key).where(Step.case_id == hire_id, Step.process == "chk")
                )
            )

    run_day(rt, date(2027, 1, 4), send=False)
    assert talks("NH-2027-003") == {"checkin:1", "checkin:3"}  # Noor, stage of 5 months
    assert talks("NH-2027-001") == {"checkin:1", "checkin:3", "checkin:8"}  # vast
    sections = rt.config("hardenberg").sections
    everything = sections["checkins"].model_copy(update={"plan_past_contract_end": True})
    monkeypatch.setitem(sections, "checkins", everything)
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", date(2027, 1, 5))
        from poflow.checkins.planner import plan_checkins
        from poflow.db.models import Hire

        plan_checkins(ctx, session.get_one(Hire, "NH-2027-003"))
    assert talks("NH-2027-003") == {"checkin:1", "checkin:3", "checkin:8"}


def test_chk_1_plan_past_contract_end_is_a_yes_or_no_and_off_by_default():
    """checkins.yaml's plan_past_contract_end defaults to false and refuses anything but a
    boolean, naming the key."""
    base = {
        "months_after_start": [1, 3, 8],
        "time": "10:00",
        "duration_minutes": 60,
        "location": "Kamer 1",
        "reminder_working_days_before": 2,
        "record_reminder_working_days_after": 1,
        "escalate_working_days_after": 5,
    }
    assert CheckinSection.model_validate(base).plan_past_contract_end is False
    with pytest.raises(ValidationError, match="plan_past_contract_end"):
        CheckinSection.model_validate({**base, "plan_past_contract_end": "ja"})


def test_chk_2_an_invitation_reads_right_on_the_day_it_is_read(
    example_data: Any, smtp: SmtpRecorder
):
    """Four weeks before her start the leidinggevende reads that Lotte starts in four weeks,
    not that she is a month in service; on day one Lotte reads when her talks are."""
    per_day = simulate(example_data, smtp, date(2027, 1, 4), date(2027, 2, 1))
    dirk = [
        m
        for m in per_day[date(2027, 1, 4)]
        if DIRK in str(m["To"]) and "na een maand met Lotte Hendriks" in m["Subject"]
    ]
    assert len(dirk) == 1
    text = _text(dirk[0])
    assert (
        "Je nieuwe collega Lotte Hendriks start over vier weken, op maandag 1 februari 2027."
        in (text)
    )
    assert "in dienst hebben jullie" in text
    assert "is 1 maand" not in text
    assert "maand(en)" not in text + str(dirk[0]["Subject"])
    lotte = {
        str(m["Subject"]): _text(m)
        for m in per_day[date(2027, 2, 1)]
        if LOTTE_WORK in str(m["To"]) and ics_of(m) is not None
    }
    assert (
        "Het gesprek is over vier weken."
        in lotte["Uitnodiging: bijpraatmoment na een maand met Dirk Mulder"]
    )
    assert (
        "Het gesprek is over drie maanden."
        in lotte["Uitnodiging: bijpraatmoment na drie maanden met Dirk Mulder"]
    )
