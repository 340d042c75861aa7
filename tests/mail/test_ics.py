"""Tests of calendar invitations: RFC 5545 REQUEST, SEQUENCE on reschedule, CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar

from poflow.mail.ics import Invitation, build_ics

TZ = ZoneInfo("Europe/Amsterdam")


def _inv(**kw: object) -> Invitation:
    base = {
        "uid": "poflow-step-7@hardenberg.poflow",
        "sequence": 0,
        "starts_at": datetime(2027, 3, 1, 10, tzinfo=TZ),
        "ends_at": datetime(2027, 3, 1, 11, tzinfo=TZ),
        "summary": "Bij praat moment",
        "location": "Kamer 2.14",
        "description": "Gesprek",
        "organizer_name": "P&O Hardenberg",
        "organizer_email": "po@hardenberg.example.nl",
        "attendees": (("Dirk Mulder", "dirk@example.nl"), ("Lotte", "lotte@example.org")),
    }
    base.update(kw)
    return Invitation(**base)  # type: ignore[arg-type]


def _event(text: str) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    return cal, next(iter(cal.walk("VEVENT")))


def test_chk_2_request_has_method_organizer_attendees_and_local_times():
    """A new appointment is METHOD:REQUEST with organizer, attendees and Amsterdam times."""
    cal, event = _event(build_ics(_inv(), stamp=datetime(2026, 11, 24, tzinfo=UTC)))
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == "poflow-step-7@hardenberg.poflow"
    assert str(event["ORGANIZER"]) == "mailto:po@hardenberg.example.nl"
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        "mailto:dirk@example.nl",
        "mailto:lotte@example.org",
    ]
    start = event["DTSTART"].dt
    assert start.utcoffset().total_seconds() == 3600  # CET on 1 March
    assert start.hour == 10
    assert cal.walk("VTIMEZONE"), "a VTIMEZONE lets Outlook place the time correctly"


def test_onb_5_a_reschedule_keeps_the_uid_and_raises_the_sequence():
    """An update is the same event (same UID) with a higher SEQUENCE."""
    _, first = _event(build_ics(_inv(), stamp=datetime.now(UTC)))
    _, moved = _event(
        build_ics(
            _inv(
                sequence=1,
                starts_at=datetime(2027, 3, 2, 10, tzinfo=TZ),
                ends_at=datetime(2027, 3, 2, 11, tzinfo=TZ),
            ),
            stamp=datetime.now(UTC),
        )
    )
    assert first["UID"] == moved["UID"]
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1


def test_onb_5_a_cancellation_is_method_cancel_with_status_cancelled():
    """A cancelled appointment is METHOD:CANCEL and STATUS:CANCELLED."""
    cal, event = _event(build_ics(_inv(sequence=2, cancelled=True), stamp=datetime.now(UTC)))
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2


def test_chk_2_the_vtimezone_agrees_with_the_tz_database_on_every_transition():
    """The two-rule VTIMEZONE gives the tz database's offset around each change, 2026 to 2045."""
    cal, _ = _event(build_ics(_inv(), stamp=datetime(2026, 11, 24, tzinfo=UTC)))
    vtz = next(iter(cal.walk("VTIMEZONE"))).to_tz(lookup_tzid=False)  # read our rules
    for year in range(2026, 2046):
        for month in (3, 10):
            last_day = 31
            sunday = max(
                d for d in range(25, last_day + 1) if datetime(year, month, d).weekday() == 6
            )
            for hour in (0, 1, 2, 3, 4, 12):
                utc = datetime(year, month, sunday, hour, tzinfo=UTC)
                assert utc.astimezone(vtz).utcoffset() == utc.astimezone(TZ).utcoffset(), utc
    summer = datetime(2027, 7, 1, 8, tzinfo=UTC)
    assert summer.astimezone(vtz).utcoffset().total_seconds() == 7200


def test_onb_5_an_invitation_read_back_is_the_invitation_that_was_written():
    """read_invitation gives back every field build_ics wrote, so a cancellation can mirror it."""
    from poflow.mail.ics import read_invitation

    written = _inv(sequence=3, location="Kamer 2.14, De Baron")
    read = read_invitation(build_ics(written, stamp=datetime.now(UTC)))
    assert read == written
    assert type(read.summary) is str
