"""Tests of the buddy rules: who is asked, who may not be buddy, the trajectory's days (pure)."""

from __future__ import annotations

from datetime import date

from poflow.kernel.calendar import WorkCalendar
from poflow.onboarding.buddy_rules import (
    BuddyDates,
    buddy_close_date,
    buddy_dates,
    buddy_load_since,
    buddy_preference,
    buddy_refusal,
)

CAL = WorkCalendar()


def test_bud_2_buddy_trajectory_closes_after_six_months_or_at_a_shorter_contracts_end():
    """Six months after day one, rolled to a working day; a five-month intern closes at five."""
    fwd = date(2027, 3, 1)
    assert buddy_close_date(CAL, fwd, months=6, contract_months=None) == date(2027, 9, 1)
    assert buddy_close_date(CAL, fwd, months=6, contract_months=5) == date(2027, 8, 2)


def test_bud_1_a_medewerker_with_the_fewest_running_trajectories_is_asked_first():
    """Medewerkers before other roles, then the fewest running buddy trajectories, then the id."""
    colleagues = [
        ("P-1", {"medewerker"}, 2),
        ("P-2", {"ict"}, 0),
        ("P-3", {"medewerker", "or_lid"}, 1),
        ("P-4", {"medewerker"}, 1),
    ]
    asked = sorted(colleagues, key=lambda c: buddy_preference(c[1], c[2], c[0]))
    assert [pid for pid, _, _ in asked] == ["P-3", "P-4", "P-1", "P-2"]


def test_bud_1_a_trajectory_runs_for_hires_who_started_in_the_last_200_days():
    """The load of a colleague counts the buddy trajectories of hires from 200 days back."""
    assert buddy_load_since(date(2027, 9, 1)) == date(2027, 2, 13)


def test_bud_1_a_buddy_comes_from_the_hires_team_and_is_not_its_leidinggevende():
    """Another team's colleague and the leidinggevende are refused, with the reason."""
    assert buddy_refusal(team="ICT", is_manager=False, hire_team="ICT") is None
    assert buddy_refusal(team="P&O", is_manager=False, hire_team="ICT") == (
        "a buddy comes from the hire's own team (ICT)."
    )
    assert buddy_refusal(team="ICT", is_manager=True, hire_team="ICT") == (
        "the leidinggevende cannot also be the buddy."
    )


def test_bud_1_bud_2_the_buddy_hears_before_day_one_and_all_are_invited_before_the_close():
    """Ten working days before day one and before the close, or at once when planned later."""
    fwd, close = date(2027, 3, 1), date(2027, 9, 1)
    days = {"inform_working_days_before": 10, "invite_working_days_before": 10}
    assert buddy_dates(CAL, fwd, close, planned_on=date(2027, 2, 1), **days) == BuddyDates(
        inform=date(2027, 2, 15), invite=date(2027, 8, 18), close=close
    )
    late = buddy_dates(CAL, fwd, close, planned_on=date(2027, 2, 20), **days)
    assert (late.inform, late.invite) == (date(2027, 2, 20), date(2027, 8, 18))
