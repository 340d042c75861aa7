"""Tests of the pure introduction rules: target groups, series dates, cohorts (INT-1..3)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poflow._exceptions import IllegalTransition
from poflow.introduction.rules import (
    Candidate,
    CohortKind,
    Participation,
    ParticipationStatus,
    SeriesRule,
    TargetGroup,
    TargetRule,
    check_participation,
    classify,
    open_session,
    programme_end,
    reminder_dates,
    select_cohort,
    series_dates,
)
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


def _c(hid: str, start: date, end: date, *history: tuple[date, P], **kw) -> Candidate:
    return Candidate(hid, start, end, tuple(Participation(d, s) for d, s in history), **kw)


def test_int_3_start_meeting_cohort_is_who_started_and_was_never_invited():
    """INT-3: new starters by the session date are invited; later starters wait."""
    s = date(2027, 3, 1)
    cands = [
        _c("A", date(2027, 2, 1), date(2027, 8, 2)),
        _c("B", date(2027, 3, 1), date(2027, 9, 1)),
        _c("C", date(2027, 3, 2), date(2027, 9, 2)),
        _c("D", date(2027, 1, 4), date(2027, 7, 5), (date(2027, 1, 18), P.ATTENDED)),
    ]
    choice = select_cohort(CohortKind.STARTED, s, cands, seats_left=25, max_attempts=3)
    assert choice.invite == ("A", "B")
    assert choice.spill == ()


def test_int_3_who_missed_or_declined_is_reinvited_first_up_to_the_attempt_limit():
    """INT-3: a miss or decline makes a re-invitation, with priority, until max_attempts."""
    s = date(2027, 4, 12)
    missed = _c("M", date(2027, 2, 1), date(2027, 8, 2), (date(2027, 3, 1), P.MISSED))
    declined = _c("D", date(2027, 2, 8), date(2027, 8, 9), (date(2027, 3, 1), P.DECLINED))
    unrecorded = _c("U", date(2027, 2, 8), date(2027, 8, 9), (date(2027, 3, 1), P.INVITED))
    gave_up = _c(
        "X",
        date(2027, 1, 4),
        date(2027, 7, 5),
        (date(2027, 1, 18), P.MISSED),
        (date(2027, 3, 1), P.MISSED),
        (date(2027, 3, 15), P.DECLINED),
    )
    new = _c("N", date(2027, 3, 1), date(2027, 9, 1))
    choice = select_cohort(
        CohortKind.STARTED,
        s,
        [new, missed, declined, unrecorded, gave_up],
        seats_left=25,
        max_attempts=3,
    )
    assert choice.invite == ("M", "D", "U", "N")
    assert set(choice.reinvite) == {"M", "D", "U"}


def test_int_3_a_full_session_spills_the_latest_starters_who_then_go_first():
    """INT-3: with 2 seats the third spills, and at the next session is seated first."""
    first = date(2027, 3, 1)
    cands = [_c(h, date(2027, 2, d), date(2027, 8, d)) for h, d in (("A", 1), ("B", 8), ("C", 15))]
    choice = select_cohort(CohortKind.STARTED, first, cands, seats_left=2, max_attempts=3)
    assert choice.invite == ("A", "B")
    assert choice.spill == ("C",)
    later = [
        _c("C", date(2027, 2, 15), date(2027, 8, 16), (first, P.SPILLED)),
        _c("E", date(2027, 3, 8), date(2027, 9, 8)),
    ]
    again = select_cohort(
        CohortKind.STARTED, date(2027, 4, 12), later, seats_left=1, max_attempts=1
    )
    assert again.invite == ("C",)
    assert again.spill == ("E",)


def test_int_3_evaluation_cohort_is_everyone_within_the_programme_period():
    """INT-3: an evaluation invites everyone who started and has not passed programme end."""
    s = date(2027, 4, 20)
    cands = [
        _c("IN", date(2027, 1, 4), date(2027, 7, 5), (date(2027, 1, 20), P.ATTENDED)),
        _c("OUT", date(2026, 10, 1), date(2027, 4, 1)),
        _c("LATE", date(2027, 5, 3), date(2027, 11, 3)),
    ]
    assert select_cohort(CohortKind.IN_PERIOD, s, cands, seats_left=30, max_attempts=3).invite == (
        "IN",
    )


def test_int_4_a_classroom_module_waits_for_the_item_before_it():
    """INT-4: a module is invited only once the previous item is planned before it."""
    s = date(2027, 3, 15)
    cands = [
        _c("READY", date(2027, 2, 1), date(2027, 8, 2), previous_item_planned=date(2027, 2, 22)),
        _c("WAIT", date(2027, 2, 1), date(2027, 8, 2), previous_item_planned=date(2027, 3, 30)),
        _c("NONE", date(2027, 2, 1), date(2027, 8, 2)),
        _c("FIRST", date(2027, 2, 1), date(2027, 8, 2), first_in_order=True),
    ]
    assert select_cohort(CohortKind.IN_ORDER, s, cands, seats_left=20, max_attempts=3).invite == (
        "FIRST",
        "READY",
    )


def test_int_3_participation_moves_only_along_allowed_transitions():
    """INT-3: attendance is final once recorded present; a spilled place cannot be accepted."""
    check_participation("x", P.INVITED, P.ACCEPTED)
    check_participation("x", P.MISSED, P.ATTENDED)
    with pytest.raises(IllegalTransition, match="from 'spilled' to 'accepted'"):
        check_participation("x", P.SPILLED, P.ACCEPTED)
    with pytest.raises(IllegalTransition, match="from 'attended' to 'missed'"):
        check_participation("x", P.ATTENDED, P.MISSED)
