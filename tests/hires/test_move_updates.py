"""Tests of what a move sends after its notice (ONB-5): updated invitations go out the day of
the move, nobody hears of the move twice, and an invitation new to an address is not
"Gewijzigd" there. Black-box: the dispatcher's days and the SMTP sink."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

from poflow.hires.services import move_hire
from poflow.runtime import run_day
from tests.conftest import SmtpRecorder
from tests.support import ics_of, simulate

LOTTE_WORK = "lotte.hendriks@hardenberg.example.nl"
HANNA = "hanna.kok@hardenberg.example.nl"  # the loopbaancoach: Lotte's TMA debrief
ESRA = "esra.yilmaz@hardenberg.example.nl"  # Lotte's and Noor's buddy
NOOR_PRIVATE = "noor.bakker@example.org"
NOOR_WORK = "noor.bakker@hardenberg.example.nl"


def _run(rt: Any, smtp: SmtpRecorder, day: date) -> list[EmailMessage]:
    before = len(smtp.messages)
    run_day(rt, day)
    return smtp.messages[before:]


def _event(msg: EmailMessage) -> tuple[str, int]:
    cal = ics_of(msg)
    assert cal is not None
    event = next(iter(cal.walk("VEVENT")))
    return str(event["UID"]), int(event["SEQUENCE"])


def _to(msg: EmailMessage, address: str) -> bool:
    return address in str(msg["To"]).lower()


def _move(rt: Any, hire_id: str, new_start: date, today: date) -> None:
    with rt.factory() as session, session.begin():
        move_hire(
            session, rt.config("hardenberg"), hire_id, new_start, actor="HB-0002", today=today
        )


def test_onb_5_int_5_bud_2_a_sent_talk_invitation_is_updated_the_day_of_the_move(
    example_data: Any, smtp: SmtpRecorder
):
    """Lotte's TMA debrief and "vier successen" invitations went out; P&O moves her start date
    on 21 July: the updates (same UID, SEQUENCE 1) reach the coach and the buddy that day,
    not when the new invitation dates come months later."""
    rt = example_data
    _run(rt, smtp, date(2027, 1, 4))
    sent = _run(rt, smtp, date(2027, 7, 20))  # every day until 20 July, caught up at once
    lotte = [m for m in sent if "Lotte" in str(m["Subject"]) and ics_of(m)]
    tma = [m for m in lotte if _to(m, HANNA) and "TMA" in str(m["Subject"])]
    party = [m for m in lotte if _to(m, ESRA) and "successen" in str(m["Subject"])]
    assert len(tma) == 1
    assert len(party) == 1
    _move(rt, "NH-2027-001", date(2027, 10, 1), today=date(2027, 7, 21))
    moved_day = _run(rt, smtp, date(2027, 7, 21))
    for original, to, what in ((tma[0], HANNA, "TMA"), (party[0], ESRA, "successen")):
        updates = [
            m
            for m in moved_day
            if _to(m, to)
            and what in str(m["Subject"])
            and "Lotte" in str(m["Subject"])
            and ics_of(m)
        ]
        assert [str(m["Subject"]).startswith("Gewijzigd: ") for m in updates] == [True]
        assert _event(updates[0]) == (_event(original)[0], 1)


def test_onb_5_one_notice_per_move_and_new_invitations_are_not_gewijzigd(
    example_data: Any, smtp: SmtpRecorder
):
    """Noor's buddy and Noor hear of her move once, on the day of the move: no second
    "Gewijzigd" buddy or welcome mail on their new send dates; on her new first working day
    her invitations at work, new to that address, are plain invitations."""
    rt = example_data
    simulate(rt, smtp, date(2027, 1, 4), date(2027, 2, 23))
    _move(rt, "NH-2027-003", date(2027, 4, 1), today=date(2027, 2, 24))
    later = simulate(rt, smtp, date(2027, 2, 24), date(2027, 4, 1))
    changed = [
        (day, m)
        for day, msgs in sorted(later.items())
        for m in msgs
        if str(m["Subject"]).startswith("Gewijzigd: ") and ics_of(m) is None
    ]
    buddy = [d for d, m in changed if _to(m, ESRA) and "Noor" in str(m["Subject"])]
    hire = [d for d, m in changed if _to(m, NOOR_PRIVATE)]
    assert buddy == hire == [date(2027, 2, 24)]
    welcomes = [
        m
        for d, msgs in later.items()
        if d > date(2027, 2, 24)
        for m in msgs
        if _to(m, NOOR_PRIVATE)
    ]
    assert [str(m["Subject"]) for m in welcomes if "Welkom" in str(m["Subject"])] == []
    at_work = [m for m in later[date(2027, 4, 1)] if _to(m, NOOR_WORK) and ics_of(m)]
    assert at_work, "her invitations reach the work address on her first working day"
    assert [str(m["Subject"]) for m in at_work if "Gewijzigd" in str(m["Subject"])] == []
