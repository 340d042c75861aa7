"""Tests of the checklist rules: due dates, who hears what when, phases (no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from poflow.kernel.calendar import WorkCalendar
from poflow.onboarding.config import OnboardingSection
from poflow.onboarding.rules import (
    Level,
    applies,
    event_dates,
    item_due,
    levels_for,
    parse_offset,
    phase_on,
)

ROOT = Path(__file__).resolve().parents[2]
CAL = WorkCalendar()


def section(slug: str) -> OnboardingSection:
    """The validated onboarding.yaml of one municipality."""
    raw = yaml.safe_load((ROOT / "config" / slug / "onboarding.yaml").read_text("utf-8"))
    return OnboardingSection.model_validate(raw)


def test_onb_1_due_dates_count_working_days_and_calendar_months_from_day_one():
    """Working-day offsets skip weekends and CAO holidays; months roll to a working day."""
    fwd = date(2027, 5, 3)  # Monday; 5 and 6 May 2027 are Bevrijdingsdag and Hemelvaartsdag
    assert item_due(CAL, fwd, parse_offset("-1wd")) == date(2027, 4, 30)
    assert item_due(CAL, fwd, parse_offset("+2wd")) == date(2027, 5, 7)
    assert item_due(CAL, fwd, parse_offset("0wd")) == fwd
    assert item_due(CAL, date(2027, 2, 1), parse_offset("6m")) == date(2027, 8, 2)  # Sunday 1 Aug


def test_onb_1_items_apply_per_contract_type_and_within_the_contract():
    """Payroll registration is not for hired staff; six-month items skip a five-month intern."""
    items = {i.key: i for i in section("kaag-en-braassem").items}
    assert applies(items["personeels-salarisadministratie"], "vast", None)
    assert not applies(items["personeels-salarisadministratie"], "inhuur", 9)
    assert not applies(items["evaluatiegesprek"], "stage", 5)
    assert applies(items["evaluatiegesprek"], "tijdelijk", 12)


def test_onb_3_nobody_is_escalated_to_about_their_own_item():
    """A leidinggevende's item skips the manager level; a P&O item has no escalation at all."""
    assert levels_for("ict") == tuple(Level)
    assert Level.ESCALATE_MANAGER not in levels_for("leidinggevende")
    assert levels_for("po_adviseur") == (Level.ANNOUNCE, Level.REMIND)


def test_onb_3_notice_dates_of_an_item_on_the_seeds_rhythm():
    """Announce 5 working days before, remind 2, escalate 5 and 10 working days after due."""
    cfg = section("kaag-en-braassem")
    dates = event_dates(
        CAL, cfg, due=date(2027, 1, 29), owner="facilitair", planned_on=date(2027, 1, 4)
    )
    assert dates == {
        Level.ANNOUNCE: date(2027, 1, 22),
        Level.REMIND: date(2027, 2, 2),
        Level.ESCALATE_MANAGER: date(2027, 2, 5),
        Level.ESCALATE_PO: date(2027, 2, 12),
    }


@settings(max_examples=60, deadline=None)
@given(
    due=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    planned=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    owner=st.sampled_from(["ict", "buddy", "leidinggevende", "po_adviseur", "medewerker"]),
)
def test_onb_3_notices_fall_on_working_days_in_order_and_never_before_planning(due, planned, owner):
    """Every notice date is a working day, not before the planning day, levels in order."""
    cfg = section("hardenberg")
    due = CAL.next_working_day(due)
    dates = event_dates(CAL, cfg, due=due, owner=owner, planned_on=planned)
    ordered = [dates[level] for level in Level if level in dates]
    assert all(CAL.is_working_day(d) and d >= planned for d in ordered)
    assert ordered == sorted(ordered)


def test_onb_4_phase_of_a_hire_on_a_day():
    """Before day one, day one, up to three months, up to six months, then afgerond."""
    fwd = date(2027, 2, 1)
    assert phase_on(CAL, fwd, date(2027, 1, 29)) == "voor_eerste_werkdag"
    assert phase_on(CAL, fwd, fwd) == "eerste_werkdag"
    assert phase_on(CAL, fwd, date(2027, 4, 30)) == "eerste_drie_maanden"
    assert phase_on(CAL, fwd, date(2027, 5, 3)) == "eerste_zes_maanden"
    assert phase_on(CAL, fwd, date(2027, 8, 2)) == "afgerond"
