"""RFC 5545 calendar invitations (REQUEST, updated with SEQUENCE, and CANCEL) with icalendar.

The VTIMEZONE is written out once as the two yearly EU rules (last Sunday of March and of
October, in force since 1996), as Outlook and Google write it. icalendar's own
`add_missing_timezones` lists every transition from 1970 to 2038 (50 lines) and cost 7 ms an
invitation, more than the rest of a mail together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import cast
from zoneinfo import ZoneInfo

import icalendar

from poflow.kernel.calendar import TIMEZONE

__all__ = ["Invitation", "build_ics", "read_invitation"]

PRODID = "-//poflow//P&O workflow//NL"

# The EU summer-time rules (Directive 2000/84/EC; the same dates since 1996).
_VTIMEZONE = {
    "Europe/Amsterdam": (
        "BEGIN:VTIMEZONE\r\n"
        "TZID:Europe/Amsterdam\r\n"
        "BEGIN:DAYLIGHT\r\n"
        "TZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\n"
        "TZNAME:CEST\r\n"
        "DTSTART:19960331T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
        "END:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\n"
        "TZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\n"
        "TZNAME:CET\r\n"
        "DTSTART:19961027T030000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
        "END:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
    ),
}


@cache
def _vtimezone(tzid: str) -> icalendar.Timezone:
    """The VTIMEZONE component for `tzid`, parsed once per process."""
    return cast(icalendar.Timezone, icalendar.Timezone.from_ical(_VTIMEZONE[tzid]))


@dataclass(frozen=True, slots=True)
class Invitation:
    """One appointment: a stable uid, a sequence raised on every change, and who is invited."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    organizer_name: str
    organizer_email: str
    attendees: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (name, email)
    cancelled: bool = False

    @property
    def method(self) -> str:
        """REQUEST for a new or changed appointment, CANCEL when it is called off."""
        return "CANCEL" if self.cancelled else "REQUEST"


def build_ics(inv: Invitation, *, stamp: datetime) -> str:
    """Return the VCALENDAR text of `inv`, times in Europe/Amsterdam with a VTIMEZONE."""
    tz = ZoneInfo(TIMEZONE)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", inv.method)
    event = icalendar.Event()
    event.add("uid", inv.uid)
    event.add("sequence", inv.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", inv.starts_at.astimezone(tz))
    event.add("dtend", inv.ends_at.astimezone(tz))
    event.add("summary", inv.summary)
    event.add("location", inv.location)
    event.add("description", inv.description)
    event.add("status", "CANCELLED" if inv.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{inv.organizer_email}")
    organizer.params["cn"] = icalendar.vText(inv.organizer_name)
    event.add("organizer", organizer)
    for name, email in inv.attendees:
        attendee = icalendar.vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = icalendar.vText(name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        attendee.params["rsvp"] = icalendar.vText("TRUE")
        event.add("attendee", attendee, encode=False)
    cal.add_component(_vtimezone(TIMEZONE))
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


def read_invitation(text: str) -> Invitation:
    """The Invitation a VCALENDAR of build_ics describes (its first VEVENT): what a calendar
    holds of it, so a cancellation can mirror it."""
    cal = icalendar.Calendar.from_ical(text)
    event = cast(icalendar.Event, next(iter(cal.walk("VEVENT"))))
    organizer = event.organizer
    return Invitation(
        uid=str(event.uid),
        sequence=event.sequence,
        starts_at=cast(datetime, event.start),
        ends_at=cast(datetime, event.end),
        summary=str(event.summary or ""),
        location=str(event.location or ""),
        description=str(event.description or ""),
        organizer_name=str(organizer.params.get("CN", "")) if organizer else "",
        organizer_email=organizer.email if organizer else "",
        attendees=tuple((str(a.params.get("CN", "")), a.email) for a in event.attendees),
        cancelled=str(cal.get("METHOD", "")) == "CANCEL",
    )
