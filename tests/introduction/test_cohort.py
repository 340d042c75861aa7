"""Tests of the pure cohort rule of a group session: who is seated, re-invited or spills, and
why (INT-3, INT-4)."""

from __future__ import annotations

from datetime import date

from poflow.introduction.cohort import (
    Candidate,
    CohortChoice,
    CohortKind,
    Participation,
    PlaceReason,
    free_seats,
    places,
    select_cohort,
)
from poflow.introduction.states import ParticipationStatus

P = ParticipationStatus


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


def test_int_3_each_place_says_why_the_hire_has_it():
    """INT-3: a first invitation is "new", one after a full session "waitlist", one after a
    miss "makeup"; who did not fit is "spill", after the seats."""
    s = date(2027, 4, 12)
    waited = _c("W", date(2027, 2, 15), date(2027, 8, 16), (date(2027, 3, 1), P.SPILLED))
    missed = _c("M", date(2027, 2, 1), date(2027, 8, 2), (date(2027, 3, 1), P.MISSED))
    new = _c("N", date(2027, 3, 1), date(2027, 9, 1))
    choice = CohortChoice(invite=("W", "M", "N"), reinvite=("W", "M"), spill=("X",))
    found = [(p.hire_id, p.reason, p.spilled) for p in places(choice, [waited, missed, new])]
    assert found == [
        ("W", PlaceReason.WAITLIST, False),
        ("M", PlaceReason.MAKEUP, False),
        ("N", PlaceReason.NEW, False),
        ("X", PlaceReason.SPILL, True),
    ]
    assert select_cohort(CohortKind.STARTED, s, [new], seats_left=0, max_attempts=3).spill == ("N",)


def test_int_3_open_and_attended_places_hold_a_seat():
    """INT-3: invited, accepted and attended places count against the capacity; declined,
    missed, spilled and cancelled ones do not."""
    statuses = [P.INVITED, P.ACCEPTED, P.ATTENDED, P.DECLINED, P.MISSED, P.SPILLED, P.CANCELLED]
    assert free_seats(25, statuses) == 22
    assert free_seats(2, [P.INVITED, P.INVITED, P.ACCEPTED]) == -1  # the rule seats nobody then
