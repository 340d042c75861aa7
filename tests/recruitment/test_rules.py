"""The pure rules of a recruitment round: voorkeursbeleid, panels, slots, terms, retention."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poflow._exceptions import RecruitmentRefused
from poflow.kernel.calendar import WorkCalendar
from poflow.recruitment.rules import (
    Tier,
    check_contract_terms,
    check_different_people,
    check_fte,
    check_vacancy_text,
    external_publication_day,
    gate_outcome,
    interview_order,
    interview_slots,
    not_selected_reason,
    panel_roles,
    referral_bonus_due,
    referral_notice_day,
    retention_cron,
    retention_day,
)

CAL = WorkCalendar()
TZ_NAME = "Europe/Amsterdam"


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


def test_rec_1_a_need_asks_for_a_sensible_fte() -> None:
    """More than 0 and at most 40 fte: 0 or a negative number is refused (REC-1)."""
    check_fte(0.89)
    check_fte(40)
    for wrong in (0, -1, 40.5):
        with pytest.raises(RecruitmentRefused, match="fte"):
            check_fte(wrong)


def test_rec_2_rec_3_rec_9_each_deciding_pair_is_two_different_people() -> None:
    """GS and OR, MT-lid and P&O, leidinggevende and P&O: never one person twice."""
    check_different_people([("A", "B", "MT-lid and P&O (REC-3)"), (None, None, "GS and OR")])
    with pytest.raises(RecruitmentRefused, match="A as both leidinggevende and P&O"):
        check_different_people([("A", "A", "leidinggevende and P&O (REC-9)")])


def test_rec_3_a_vacancy_text_needs_at_least_twenty_characters() -> None:
    """A text of a few words is refused; the spaces around it do not count (REC-3)."""
    check_vacancy_text("WR-1", "Wij zoeken een collega.")
    with pytest.raises(RecruitmentRefused, match="shorter than 20 characters"):
        check_vacancy_text("WR-1", "   Te kort.          ")


def test_rec_4_the_vacancy_goes_external_on_a_working_day_after_the_window() -> None:
    """A week after 1 March is 8 March; a window ending on Koningsdag moves to 28 April."""
    assert external_publication_day(date(2027, 3, 1), 7, CAL) == date(2027, 3, 8)
    assert external_publication_day(date(2027, 4, 20), 7, CAL) == date(2027, 4, 28)


def test_rec_11_those_not_selected_hear_the_reason_of_their_round() -> None:
    """Not selected for round one, or not after the first interview (REC-11)."""
    assert not_selected_reason(1) == "niet_geselecteerd"
    assert not_selected_reason(2) == "na_eerste_gesprek"


def test_rec_9_the_terms_name_a_known_contract_with_months_unless_vast() -> None:
    """'vast' has no months, a temporary contract has them, an unknown type is refused."""
    check_contract_terms("vast", None)
    check_contract_terms("tijdelijk", 12)
    for contract, months in (("vast", 12), ("tijdelijk", None), ("freelance", 6)):
        with pytest.raises(RecruitmentRefused, match="'vast' contract has no months"):
            check_contract_terms(contract, months)


def test_rec_12_the_bonus_notice_goes_only_once_in_service_and_never_for_a_cancelled_hire() -> None:
    """Before the first working day, or for a cancelled hire, nothing is sent (REC-12)."""
    first = date(2027, 6, 1)
    assert referral_bonus_due(first, first, hire_cancelled=False)
    assert not referral_bonus_due(date(2027, 5, 31), first, hire_cancelled=False)
    assert not referral_bonus_due(date(2027, 6, 2), first, hire_cancelled=True)


def test_x_3_the_retention_purge_runs_at_the_earliest_municipalitys_time() -> None:
    """The daily cron takes the earliest retention_time of the municipalities (X-3)."""
    assert retention_cron([time(3, 15), time(2, 30), time(4, 0)]) == "30 2 * * *"
