"""The pure rules of a recruitment round: stages, voorkeursbeleid, panels, slots, retention."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poflow._exceptions import ConfigError, IllegalTransition, RecruitmentRefused
from poflow.config import load_municipality
from poflow.kernel.calendar import WorkCalendar
from poflow.recruitment.rules import (
    CandidateState,
    RoundState,
    Tier,
    check_candidate_move,
    check_may_apply,
    check_round_move,
    gate_outcome,
    interview_order,
    interview_slots,
    panel_roles,
    referral_notice_day,
    retention_day,
)
from poflow.runtime import config_sections

CAL = WorkCalendar()
TZ_NAME = "Europe/Amsterdam"
ROOT = Path(__file__).resolve().parent.parent


def test_rec_1_round_states_move_only_along_the_procedure() -> None:
    """A round cannot skip from internal publication to the terms talk, nor leave a final state."""
    check_round_move("WR-1", RoundState.INTERNAL, RoundState.EXTERNAL)
    with pytest.raises(IllegalTransition, match="from 'internal' to 'terms'"):
        check_round_move("WR-1", RoundState.INTERNAL, RoundState.TERMS)
    with pytest.raises(IllegalTransition, match="final state"):
        check_round_move("WR-1", RoundState.FILLED, RoundState.CANCELLED)
    with pytest.raises(IllegalTransition):
        check_candidate_move("K1", CandidateState.REJECTED, CandidateState.ROUND_ONE)


def test_rec_2_only_the_people_asked_count_at_a_gate() -> None:
    """A gate opens when each asked person agreed in their role; any asked rejection closes it."""
    asked = {"gemeentesecretaris": "GS", "or_lid": "OR"}
    assert gate_outcome(asked, [("gemeentesecretaris", "GS", True)]) == "pending"
    assert (
        gate_outcome(asked, [("gemeentesecretaris", "GS", True), ("or_lid", "OR", True)])
        == "approved"
    )
    assert gate_outcome(asked, [("or_lid", "OR", False)]) == "rejected"
    assert (
        gate_outcome(asked, [("gemeentesecretaris", "GS", True), ("or_lid", "SOMEONE-ELSE", True)])
        == "pending"
    )


def test_rec_4_external_candidates_only_after_the_internal_window() -> None:
    """During internal publication only tiers 1-3 apply; tier 4 waits for external publication."""
    check_may_apply("WR-1", RoundState.INTERNAL, Tier.EIGEN_MEDEWERKER)
    check_may_apply("WR-1", RoundState.EXTERNAL, Tier.EXTERN)
    with pytest.raises(RecruitmentRefused, match="external"):
        check_may_apply("WR-1", RoundState.INTERNAL, Tier.EXTERN)
    with pytest.raises(RecruitmentRefused):
        check_may_apply("WR-1", RoundState.DRAFTING, Tier.BOVENFORMATIEF)


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 500)), unique_by=lambda t: t[1]))
def test_rec_4_rec_6_interview_order_puts_higher_tiers_and_internals_first(
    items: list[tuple[int, int]],
) -> None:
    """Whatever the order of applying, tiers never go down and internals precede externals."""
    ordered = interview_order(items, key=lambda t: (t[0], t[1]))
    tiers = [t for t, _ in ordered]
    assert tiers == sorted(tiers)
    internal = [Tier(t).internal for t in tiers]
    assert internal == sorted(internal, reverse=True)


def test_rec_6_slots_follow_each_other_and_continue_on_the_next_working_day() -> None:
    """45-minute slots with 15 between stop at 17:00 and skip Koningsdag (27 April 2027)."""
    from zoneinfo import ZoneInfo

    first = datetime(2027, 4, 26, 15, 0, tzinfo=ZoneInfo(TZ_NAME))  # Monday before Koningsdag
    slots = interview_slots(first, 4, minutes=45, gap=15, day_end=time(17, 0), calendar=CAL)
    assert [s.strftime("%m-%d %H:%M") for s, _ in slots] == [
        "04-26 15:00",
        "04-26 16:00",
        "04-28 15:00",
        "04-28 16:00",
    ]
    assert all(CAL.is_working_day(s.date()) for s, _ in slots)


def test_rec_6_rec_7_panels_as_the_seed_says() -> None:
    """Round one may go without a colleague; round two needs MT-lid, P&O and a colleague."""
    assert panel_roles(1, po_id="P", mt_lid_id="M", colleague_id=None).members == {
        "po_adviseur": "P",
        "mt_lid": "M",
    }
    assert panel_roles(2, po_id="P", mt_lid_id="M", colleague_id="C").members == {
        "po_adviseur": "P",
        "mt_lid": "M",
        "collega": "C",
    }
    with pytest.raises(RecruitmentRefused, match="colleague"):
        panel_roles(2, po_id="P", mt_lid_id="M", colleague_id=None)


def test_rec_12_the_bonus_notice_waits_for_the_configured_days_on_a_working_day() -> None:
    """With 0 days it is the first working day; a holiday moves the notice to the next one."""
    assert referral_notice_day(date(2027, 5, 3), 0, CAL) == date(2027, 5, 3)
    # 26 April + 9 days is Bevrijdingsdag, followed by Hemelvaartsdag 2027: Friday 7 May.
    assert referral_notice_day(date(2027, 4, 26), 9, CAL) == date(2027, 5, 7)


def test_x_3_retention_is_four_weeks_or_a_year_with_consent() -> None:
    """Personal data goes four weeks after the round, or a year later with consent (X-3)."""
    assert retention_day(date(2027, 3, 31), consent=False, weeks=4, consent_months=12) == date(
        2027, 4, 28
    )
    assert retention_day(date(2027, 3, 31), consent=True, weeks=4, consent_months=12) == date(
        2028, 3, 31
    )


def test_x_5_every_municipality_ships_recruitment_settings_and_a_wrong_one_is_named(
    tmp_path: Path,
) -> None:
    """The three example municipalities load; a missing reason text names file and key (X-5)."""
    for slug in ("hardenberg", "kaag-en-braassem", "borger-odoorn"):
        cfg = load_municipality(ROOT / "config", slug, config_sections()).sections["recruitment"]
        assert cfg.referral_bonus_eur == 250
        assert cfg.retention_weeks == 4
    folder = tmp_path / "hardenberg"
    folder.mkdir()
    for f in (ROOT / "config" / "hardenberg").iterdir():
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    broken = (
        (folder / "recruitment.yaml")
        .read_text(encoding="utf-8")
        .replace("  teruggetrokken:", "  weggelopen:")
    )
    (folder / "recruitment.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError, match="recruitment.yaml") as err:
        load_municipality(tmp_path, "hardenberg", config_sections())
    assert "rejection_reasons" in str(err.value)
    assert "teruggetrokken" in str(err.value)
