"""Tests of the check-ins' pure rules: when the talks and their follow-ups fall (CHK-1..3)."""

from __future__ import annotations

from datetime import date

from poflow.checkins.rules import ESCALATE, RECORD, REMIND, FollowUps, checkin_dates, follow_ups
from poflow.kernel.calendar import WorkCalendar


def test_chk_1_talks_fall_1_3_and_8_months_after_the_first_working_day():
    """Start 1 Feb 2027: talks on 1 Mar, 3 May (1 May is a Saturday) and 1 Oct 2027."""
    assert checkin_dates(WorkCalendar(), date(2027, 2, 1), [1, 3, 8]) == [
        date(2027, 3, 1),
        date(2027, 5, 3),
        date(2027, 10, 1),
    ]


def test_chk_2_chk_3_follow_ups_count_working_days_around_the_talk():
    """A talk on Fri 30 Apr 2027: reminder 2 working days before (Wed 28; King's Day 27 Apr is no
    working day), the record request 1 after (Mon 3 May), the escalation 5 after (Tue 11 May:
    Liberation Day 5 May and Ascension Day 6 May are not counted)."""
    days = FollowUps(remind_before=2, record_after=1, escalate_after=5)
    assert follow_ups(WorkCalendar(), date(2027, 4, 30), days) == {
        REMIND: date(2027, 4, 28),
        RECORD: date(2027, 5, 3),
        ESCALATE: date(2027, 5, 11),
    }
