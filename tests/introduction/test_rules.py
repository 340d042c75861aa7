"""Tests of the pure introduction rules: target groups, who may enrol, series dates, reminder and
talk dates, answers and attendance (INT-1..6)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poflow.introduction.rules import (
    SeriesRule,
    TargetGroup,
    TargetRule,
    classify,
    open_session,
    programme_end,
    reminder_dates,
    series_dates,
)
from poflow.introduction.states import ParticipationStatus
from poflow.kernel.calendar import WorkCalendar

P = ParticipationStatus
G = TargetGroup
SEED_000 = [
    TargetRule("bestuurder", G.EXCLUDED),
    TargetRule("vast", G.PRIMARY),
    TargetRule("tijdelijk", G.PRIMARY, longer_than_months=6),
    TargetRule("stage", G.PRIMARY, longer_than_months=6),
    TargetRule("stage", G.SECONDARY, at_most_months=6),
    TargetRule("detachering", G.SECONDARY),
    TargetRule("payroll", G.SECONDARY),
    TargetRule("inhuur", G.SECONDARY),
]
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("contract", "months", "group"),
    [
        ("vast", None, G.PRIMARY),
        ("tijdelijk", 12, G.PRIMARY),
        ("tijdelijk", 7, G.PRIMARY),
        ("tijdelijk", 6, G.SECONDARY),  # not named in seed 000: falls to the default group
        ("stage", 9, G.PRIMARY),
        ("stage", 6, G.SECONDARY),
        ("stage", 3, G.SECONDARY),
        ("detachering", 12, G.SECONDARY),
        ("payroll", 24, G.SECONDARY),
        ("inhuur", 9, G.SECONDARY),
        ("bestuurder", 48, G.EXCLUDED),
    ],
)
def test_int_1_target_group_follows_contract_type_and_length(contract, months, group):
    """INT-1: seed 000's table puts each contract in its primary, secondary or excluded group."""
    assert classify(contract, months, SEED_000, G.SECONDARY) == group


def test_int_1_first_matching_line_wins_and_unknown_length_does_not_match_a_bound():
    """INT-1: a temporary contract without a length is not 'longer than 6 months'."""
    assert classify("tijdelijk", None, SEED_000, G.SECONDARY) == G.SECONDARY
    assert (
        classify("vast", None, [TargetRule("vast", G.EXCLUDED), *SEED_000], G.PRIMARY) == G.EXCLUDED
    )


def test_int_2_programme_ends_six_calendar_months_later_on_a_working_day():
    """INT-2: start 1 Feb 2027 ends 2 Aug 2027, since 1 Aug 2027 is a Sunday."""
    assert programme_end(CAL, date(2027, 2, 1), 6) == date(2027, 8, 2)


def test_int_3_start_meetings_fall_every_six_weeks_on_working_days():
    """INT-3: every 6 weeks from the anchor; a holiday (Tweede paasdag 29 Mar 2027) rolls on."""
    rule = SeriesRule(date(2027, 2, 15), every_weeks=6)
    assert series_dates(rule, CAL, date(2027, 1, 1), date(2027, 6, 30)) == [
        date(2027, 2, 15),
        date(2027, 3, 30),
        date(2027, 5, 10),
        date(2027, 6, 21),
    ]


def test_int_3_evaluations_fall_every_three_months_rolled_past_weekends():
    """INT-3: every 3 months from Sat 6 Feb 2027; Hemelvaartsdag 6 May 2027 rolls to 7 May."""
    rule = SeriesRule(date(2027, 2, 6), every_months=3)
    assert series_dates(rule, CAL, date(2027, 1, 1), date(2027, 12, 31)) == [
        date(2027, 2, 8),
        date(2027, 5, 7),
        date(2027, 8, 6),
        date(2027, 11, 8),
    ]


def test_int_3_only_days_in_an_invitation_window_are_session_planning_days():
    """INT-3: the window opens 10 working days before the session and closes the day before."""
    rule = SeriesRule(date(2027, 1, 11), every_weeks=6)  # next: Mon 22 Feb 2027
    assert open_session(rule, CAL, date(2027, 2, 5), 10) is None
    assert open_session(rule, CAL, date(2027, 2, 8), 10) == (date(2027, 2, 22), date(2027, 1, 11))
    assert open_session(rule, CAL, date(2027, 2, 19), 10) == (date(2027, 2, 22), date(2027, 1, 11))
    assert open_session(rule, CAL, date(2027, 2, 22), 10) is None
    assert open_session(rule, CAL, date(2027, 2, 13), 10) is None  # a Saturday


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)))
def test_int_3_every_series_date_is_a_working_day(anchor):
    """INT-3: whatever the anchor, no session is planned on a weekend or CAO holiday."""
    for rule in (SeriesRule(anchor, every_weeks=6), SeriesRule(anchor, every_months=3)):
        for day in series_dates(rule, CAL, anchor, date(2031, 6, 30))[:12]:
            assert CAL.is_working_day(day)


def test_int_4_elearning_reminders_come_before_the_deadline_on_working_days():
    """INT-4: reminders 20 and 5 working days before a deadline of Mon 2 Aug 2027."""
    assert reminder_dates(CAL, date(2027, 8, 2), [20, 5]) == [date(2027, 7, 5), date(2027, 7, 26)]
