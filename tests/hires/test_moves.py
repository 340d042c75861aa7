"""Tests of telling a move (ONB-5): the day P&O moves a start date, everyone already told hears
the old and the new date, and updated invitations go out that same day."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

from poflow.hires.services import move_hire
from tests.conftest import SmtpRecorder
from tests.support import ics_of, mails, simulate

NOOR_PRIVATE = "noor.bakker@example.org"
DIRK = "dirk.mulder@hardenberg.example.nl"
ESRA = "esra.yilmaz@hardenberg.example.nl"  # Noor's buddy
OLD, NEW = "maandag 1 maart 2027", "donderdag 1 april 2027"


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""


def _address(msg: EmailMessage) -> str:
    return str(msg["To"]).split("<")[-1].rstrip(">").strip().lower()


def test_onb_5_a_move_is_told_the_same_day_to_everyone_already_told(
    example_data: Any, smtp: SmtpRecorder
):
    """Noor's welcome (22 Feb) says 1 March; P&O moves her to 1 April on 24 Feb: on 24 Feb she,
    her buddy, her leidinggevende and every owner who had her items hear the old and the new
    date, and the leidinggevende's invitations are updated that day, not weeks later."""
    rt = example_data
    per_day = simulate(rt, smtp, date(2027, 1, 4), date(2027, 2, 23))
    welcome = [
        m
        for m in per_day[date(2027, 2, 22)]
        if NOOR_PRIVATE in str(m["To"]) and str(m["Subject"]).startswith("Welkom")
    ]
    assert [OLD in _text(m) for m in welcome] == [True]
    told = {
        _address(m)
        for msgs in per_day.values()
        for m in msgs
        if "Noor" in str(m["Subject"]) or "Noor" in _text(m)
    }
    assert {NOOR_PRIVATE, DIRK, ESRA} <= told
    with rt.factory() as session, session.begin():
        move_hire(
            session,
            rt.config("hardenberg"),
            "NH-2027-003",
            date(2027, 4, 1),
            actor="HB-0002",
            today=date(2027, 2, 24),
        )
    moved_day = simulate(rt, smtp, date(2027, 2, 24), date(2027, 2, 24))[date(2027, 2, 24)]
    notices = {
        _address(m): m
        for m in moved_day
        if str(m["Subject"]).startswith("Gewijzigd: ") and ics_of(m) is None
    }
    assert set(notices) == told
    for m in notices.values():
        assert OLD in _text(m)
        assert NEW in _text(m)
    assert str(notices[NOOR_PRIVATE]["Subject"]) == f"Gewijzigd: je eerste werkdag is nu {NEW}"
    # Dirk's invitations to Noor's talks (sent 4 Jan) are updated on the day of the move
    updates = [m for m in moved_day if DIRK in str(m["To"]) and ics_of(m) is not None]
    assert len(updates) == 2
    assert {int(next(iter(ics_of(m).walk("VEVENT")))["SEQUENCE"]) for m in updates} == {1}


def test_onb_5_a_move_tells_nobody_who_was_not_told_and_nothing_twice(
    example_data: Any, smtp: SmtpRecorder
):
    """A move before anyone heard of the hire sends no notice; a repeated day sends none again."""
    rt = example_data
    with rt.factory() as session, session.begin():
        move_hire(
            session,
            rt.config("hardenberg"),
            "NH-2027-003",
            date(2027, 4, 1),
            actor="HB-0002",
            today=date(2027, 1, 4),
        )
    per_day = simulate(rt, smtp, date(2027, 1, 4), date(2027, 1, 4))
    per_day.update(simulate(rt, smtp, date(2027, 1, 4), date(2027, 1, 4)))
    assert mails(per_day, to=NOOR_PRIVATE, subject="Gewijzigd") == []
    assert mails(per_day, to=DIRK, subject="Gewijzigd: eerste werkdag") == []


def test_onb_5_a_cancellation_is_told_the_same_day_to_everyone_already_told(
    example_data: Any, smtp: SmtpRecorder
):
    """Noor is cancelled on 24 Feb, after her welcome: that day she, her buddy, her
    leidinggevende and every owner who had her items hear that she will not start on 1 March."""
    from poflow.hires.services import cancel_hire

    rt = example_data
    per_day = simulate(rt, smtp, date(2027, 1, 4), date(2027, 2, 23))
    told = {
        _address(m)
        for msgs in per_day.values()
        for m in msgs
        if "Noor" in str(m["Subject"]) or "Noor" in _text(m)
    }
    with rt.factory() as session, session.begin():
        cancel_hire(session, "NH-2027-003", actor="HB-0002", today=date(2027, 2, 24))
    later = simulate(rt, smtp, date(2027, 2, 24), date(2027, 3, 31))
    notices = {
        _address(m): m
        for m in later[date(2027, 2, 24)]
        if ics_of(m) is None and "gaat niet door" in str(m["Subject"]).lower()
    }
    assert set(notices) == told
    assert all(OLD in _text(m) for m in notices.values())
    assert str(notices[NOOR_PRIVATE]["Subject"]) == (
        "Je indiensttreding bij Gemeente Hardenberg gaat niet door"
    )
    after = [m for d, msgs in later.items() if d > date(2027, 2, 24) for m in msgs]
    assert not [m for m in after if "Noor" in str(m["Subject"]) + _text(m)]
