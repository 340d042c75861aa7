"""Tests of the buddy rules: when the trajectory closes (pure)."""

from __future__ import annotations

from datetime import date

from poflow.kernel.calendar import WorkCalendar
from poflow.onboarding.buddy_rules import buddy_close_date

CAL = WorkCalendar()


def test_bud_2_buddy_trajectory_closes_after_six_months_or_at_a_shorter_contracts_end():
    """Six months after day one, rolled to a working day; a five-month intern closes at five."""
    fwd = date(2027, 3, 1)
    assert buddy_close_date(CAL, fwd, months=6, contract_months=None) == date(2027, 9, 1)
    assert buddy_close_date(CAL, fwd, months=6, contract_months=5) == date(2027, 8, 2)
