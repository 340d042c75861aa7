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
    certifies,
    classify,
    closing_status,
    link_valid_days,
    may_answer,
    may_enrol,
    may_record_attendance,
    next_session,
    open_session,
    programme_end,
    reminder_dates,
    series_dates,
    talk_dates,
    variant_for,
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


def test_int_4_a_late_enrolment_skips_reminders_already_past():
    """INT-4: enrolled on 12 Jul 2027, only the reminder of 26 Jul is still to come."""
    assert reminder_dates(CAL, date(2027, 8, 2), [20, 5], from_day=date(2027, 7, 12)) == [
        date(2027, 7, 26)
    ]


def test_int_1_the_leidinggevende_or_an_enrol_role_may_enrol():
    """INT-1: the hire's own leidinggevende and a P&O adviser may enrol; an ICT colleague not."""
    roles = ["po_adviseur"]
    assert may_enrol("HB-0004", set(), manager_id="HB-0004", enrol_roles=roles)
    assert may_enrol("HB-0002", {"po_adviseur"}, manager_id="HB-0004", enrol_roles=roles)
    assert not may_enrol("HB-0009", {"ict"}, manager_id="HB-0004", enrol_roles=roles)


def test_int_6_the_variant_follows_the_group_unless_one_is_asked_for():
    """INT-6: primary hires get the full variant, secondary ones the light one; a requested
    variant wins."""
    kw = {"primary": "volledig", "secondary": "light"}
    assert variant_for(G.PRIMARY, None, **kw) == "volledig"
    assert variant_for(G.SECONDARY, None, **kw) == "light"
    assert variant_for(G.SECONDARY, "volledig", **kw) == "volledig"


def test_int_5_a_talk_is_invited_and_reminded_working_days_before_never_in_the_past():
    """INT-5: a talk on Mon 2 Aug 2027 is invited 10 and reminded 2 working days before; an
    invitation date already past becomes today."""
    kw = {"invite_before": 10, "remind_before": 2}
    assert talk_dates(CAL, date(2027, 8, 2), today=date(2027, 7, 1), **kw) == (
        date(2027, 7, 19),
        date(2027, 7, 29),
    )
    assert talk_dates(CAL, date(2027, 8, 2), today=date(2027, 7, 26), **kw)[0] == date(2027, 7, 26)


def test_int_3_a_spilled_invitee_is_told_the_next_session_of_the_series():
    """INT-3: after the start meeting of 22 Feb 2027 (every 6 weeks) comes 5 Apr 2027."""
    rule = SeriesRule(date(2027, 1, 11), every_weeks=6)
    assert next_session(rule, CAL, date(2027, 2, 22)) == date(2027, 4, 5)


def test_int_3_invitations_are_answered_until_and_attendance_recorded_from_the_session_day():
    """INT-3: an answer is possible up to the session day, attendance from that day on."""
    session = date(2027, 2, 22)
    assert may_answer(date(2027, 2, 22), session)
    assert not may_answer(date(2027, 2, 23), session)
    assert may_record_attendance(date(2027, 2, 22), session)
    assert not may_record_attendance(date(2027, 2, 19), session)


def test_int_3_at_close_unrecorded_places_count_as_missed():
    """INT-3: invited or accepted places never recorded become missed; others stay."""
    assert closing_status(P.INVITED) == P.MISSED
    assert closing_status(P.ACCEPTED) == P.MISSED
    assert closing_status(P.DECLINED) is None
    assert closing_status(P.ATTENDED) is None


def test_int_4_only_classroom_modules_give_a_certificate_for_attendance():
    """INT-4: the eed module certifies; the start meeting and the evaluation do not."""
    assert certifies("eed")
    assert not certifies("start")
    assert not certifies("evaluatie")


def test_int_3_a_mailed_link_lives_a_week_past_its_day():
    """INT-3..5: a link for 22 Feb sent on 8 Feb lives 22 days; one for a past day 8 days."""
    assert link_valid_days(date(2027, 2, 8), date(2027, 2, 22)) == 22
    assert link_valid_days(date(2027, 2, 23), date(2027, 2, 22)) == 8
