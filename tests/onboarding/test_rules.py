"""Tests of the checklist rules: due dates, owners, who hears what when, welcomes (no database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import get_args

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from poflow.kernel.calendar import WorkCalendar
from poflow.kernel.vocabulary import Role
from poflow.onboarding.config import OnboardingSection
from poflow.onboarding.rules import (
    LEVEL_RANK,
    OWNER_LABELS,
    OWNERS,
    Audience,
    Level,
    Owner,
    Phase,
    applies,
    due_fits_phase,
    event_dates,
    home_welcome_date,
    item_due,
    levels_for,
    notice_audience,
    owner_person_id,
    parse_offset,
    phase_on,
    welcomes_at_home,
    work_welcome_date,
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


def test_onb_1_an_item_is_due_within_its_phase():
    """Before day one in negative working days, day one at 0wd, then within three or six months."""
    assert due_fits_phase(Phase.VOOR, parse_offset("-1wd"))
    assert not due_fits_phase(Phase.VOOR, parse_offset("0wd"))
    assert not due_fits_phase(Phase.VOOR, parse_offset("-1m"))
    assert due_fits_phase(Phase.EERSTE_WERKDAG, parse_offset("0wd"))
    assert not due_fits_phase(Phase.EERSTE_WERKDAG, parse_offset("+1wd"))
    assert due_fits_phase(Phase.DRIE_MAANDEN, parse_offset("65wd"))
    assert not due_fits_phase(Phase.DRIE_MAANDEN, parse_offset("66wd"))
    assert due_fits_phase(Phase.DRIE_MAANDEN, parse_offset("3m"))
    assert not due_fits_phase(Phase.DRIE_MAANDEN, parse_offset("4m"))
    assert due_fits_phase(Phase.ZES_MAANDEN, parse_offset("130wd"))
    assert due_fits_phase(Phase.ZES_MAANDEN, parse_offset("6m"))
    assert not due_fits_phase(Phase.ZES_MAANDEN, parse_offset("7m"))


def test_onb_3_owners_are_roles_of_the_register_the_buddy_and_the_new_colleague():
    """Every owner but the buddy is a role; the config's owner names are exactly these."""
    assert set(get_args(Owner)) == set(OWNERS) == set(OWNER_LABELS)
    assert [o for o in OWNERS if o not in set(Role)] == ["buddy"]


def test_onb_3_an_item_belongs_to_the_leidinggevende_the_buddy_the_new_colleague_or_a_role():
    """The leidinggevende's, buddy's and new colleague's items name that person; a role's none."""
    ids = {"hire_id": "NH-1", "manager_id": "P-1", "buddy_id": "P-2"}
    assert owner_person_id("leidinggevende", **ids) == "P-1"
    assert owner_person_id("buddy", **ids) == "P-2"
    assert owner_person_id("medewerker", **ids) == "NH-1"
    assert owner_person_id("ict", **ids) is None
    assert owner_person_id("po_adviseur", **ids) is None
    assert owner_person_id("buddy", **{**ids, "buddy_id": None}) is None


def test_onb_3_an_item_goes_to_its_owner_then_the_leidinggevende_then_p_and_o():
    """Announce and remind reach the owner; the escalations the leidinggevende, then P&O."""
    owners = {
        "ict": Audience.ROLE,
        "facilitair": Audience.ROLE,
        "leidinggevende": Audience.MANAGER,
        "buddy": Audience.BUDDY,
        "medewerker": Audience.HIRE,
        "po_adviseur": Audience.PO,
    }
    for owner, audience in owners.items():
        assert notice_audience(Level.ANNOUNCE, owner) == audience, owner
        assert notice_audience(Level.REMIND, owner) == audience, owner
        assert notice_audience(Level.ESCALATE_MANAGER, owner) == Audience.MANAGER, owner
        assert notice_audience(Level.ESCALATE_PO, owner) == Audience.PO, owner


def test_onb_3_a_digest_shows_an_item_at_its_latest_level():
    """The levels rank in the order they go out: an escalation outranks a reminder."""
    assert sorted(Level, key=LEVEL_RANK.__getitem__) == list(Level)


def test_onb_2_the_welcome_goes_home_before_day_one_and_to_work_on_day_one():
    """Home: five working days before day one, at once when planned later, never from day one;
    work: on day one, unless planned more than five working days after it."""
    fwd = date(2027, 3, 1)  # Monday
    home = {"working_days_before": 5}
    assert home_welcome_date(CAL, fwd, planned_on=date(2027, 2, 1), **home) == date(2027, 2, 22)
    assert home_welcome_date(CAL, fwd, planned_on=date(2027, 2, 25), **home) == date(2027, 2, 25)
    assert home_welcome_date(CAL, fwd, planned_on=fwd, **home) is None
    assert welcomes_at_home(date(2027, 2, 26), fwd)
    assert not welcomes_at_home(fwd, fwd)
    assert work_welcome_date(CAL, fwd, planned_on=date(2027, 2, 1)) == fwd
    assert work_welcome_date(CAL, fwd, planned_on=date(2027, 3, 8)) == fwd  # five working days
    assert work_welcome_date(CAL, fwd, planned_on=date(2027, 3, 9)) is None
