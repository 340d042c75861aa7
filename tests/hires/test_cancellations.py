"""Tests of a hire's calendar cancellations (ONB-5): each is the mirror of the invitation it
withdraws, and its mail names the talk, whom it is about and greets the person it goes to."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

from poflow.hires.services import cancel_hire
from tests.conftest import SmtpRecorder
from tests.support import ics_of, simulate

LOTTE = "Lotte Hendriks"


def _event(msg: EmailMessage) -> Any:
    return next(iter(ics_of(msg).walk("VEVENT")))


def _attendees(event: Any) -> set[tuple[str, str]]:
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {(str(a.params["CN"]), str(a)) for a in found}


def _body(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_onb_5_a_cancellation_mirrors_its_invitation_names_place_summary_and_person(
    example_data: Any, smtp: SmtpRecorder
):
    """A cancellation carries the invitation's UID, SUMMARY, LOCATION and attendees by name;
    its mail names the talk and whom it is about, and greets the hire herself by name."""
    rt = example_data
    simulate(rt, smtp, date(2027, 1, 4), date(2027, 2, 3))
    invited = {
        str(_event(m)["UID"]): _event(m)
        for m in smtp.messages
        if ics_of(m) is not None
        and ics_of(m)["METHOD"] == "REQUEST"
        and LOTTE in str(_event(m)["SUMMARY"])
    }
    assert invited, "Lotte's talks were invited before she was cancelled"
    with rt.factory() as session, session.begin():
        cancel_hire(session, "NH-2027-001", actor="HB-0002", today=date(2027, 2, 4))
    before = len(smtp.messages)
    simulate(rt, smtp, date(2027, 2, 4), date(2027, 2, 4))
    cancels = [m for m in smtp.messages[before:] if ics_of(m) is not None]
    assert cancels
    for m in cancels:
        event = _event(m)
        sent = invited[str(event["UID"])]
        assert ics_of(m)["METHOD"] == "CANCEL"
        assert str(event["SUMMARY"]) == str(sent["SUMMARY"])
        assert LOTTE in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == str(sent["LOCATION"])
        assert _attendees(event) == _attendees(sent)
        assert not [cn for cn, _ in _attendees(event) if cn.startswith(("HB-", "NH-"))]
        assert str(m["Subject"]) == f"Geannuleerd: {sent['SUMMARY']}"
        assert str(sent["LOCATION"]) in _body(m)
    to_lotte = [m for m in cancels if "lotte.hendriks@" in str(m["To"])]
    to_dirk = [m for m in cancels if "dirk.mulder@" in str(m["To"])]
    assert to_lotte
    assert to_dirk
    for m in to_lotte:
        text = _body(m)
        assert text.startswith("Beste Lotte,")
        assert "Beste collega" not in text
        assert "Je afspraak" in text
        assert "omdat je indiensttreding bij Gemeente Hardenberg niet doorgaat" in text
    for m in to_dirk:
        text = _body(m)
        assert text.startswith("Beste Dirk,")
        assert f"de indiensttreding van {LOTTE} gaat niet door" in text
