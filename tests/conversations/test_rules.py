"""The pure rules of the conversation cycle: talk dates (GES-1/2) and the raise rule (GES-4)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poflow.conversations.rules import (
    Component,
    DayCount,
    RaiseReason,
    Score,
    Scores,
    cycle_dates,
    decide_raise,
    goes_to_gemeentesecretaris,
    holds_talks,
    introduction_end,
    next_introduction_check,
    periodiek_date,
    pop_deadline,
    probation_months_for,
    richtgesprek_after_introduction,
    richtgesprek_after_probation,
)
from poflow.kernel.calendar import WorkCalendar, add_months

CAL = WorkCalendar()
ONV, V, G, ZG = Score.ONVOLDOENDE, Score.VOLDOENDE, Score.GOED, Score.ZEER_GOED
TABLE = {"vast": 1, "tijdelijk": 1}


# -- GES-1: dates -------------------------------------------------------------------------------
def test_ges_1_seed_example_start_1_march_2020_gives_richtgesprek_in_april_2020() -> None:
    """The seed's worked example: in service 1 March 2020, richtgesprek after probation in April."""
    first_day = CAL.first_working_day(date(2020, 3, 1))
    months = probation_months_for("vast", None, TABLE, 6)
    assert (first_day, months) == (date(2020, 3, 2), 1)
    assert months is not None
    richt = richtgesprek_after_probation(CAL, first_day, months, 10)
    assert (richt.year, richt.month) == (2020, 4)
    assert richt == date(2020, 4, 16)


def test_ges_1_seed_example_beoordelingsgesprek_ten_months_later_and_raise_on_anniversary() -> None:
    """Ten months after the April 2020 richtgesprek comes the February 2021 appraisal, deciding
    the raise of 1 March 2021."""
    dates = cycle_dates(CAL, date(2020, 4, 16), 1)
    assert dates.beoordelingsgesprek == date(2021, 2, 16)
    assert periodiek_date(date(2020, 3, 1), dates.beoordelingsgesprek) == date(2021, 3, 1)
    decision = decide_raise(
        Scores(V, G, V),
        at_scale_max=False,
        joined_on=date(2020, 3, 1),
        last_raise_on=None,
        last_promotion_on=None,
        on=date(2021, 3, 1),
    )
    assert decision.granted


def test_ges_1_later_rounds_are_yearly_with_ten_months_between_the_talks() -> None:
    """Round 2 is twelve months after round 1, with ten months between its two talks."""
    second = cycle_dates(CAL, date(2020, 4, 16), 2)
    assert second.richtgesprek == date(2021, 4, 16)
    assert second.beoordelingsgesprek == date(2022, 2, 16)


def test_ges_1_talk_on_a_holiday_moves_to_the_next_working_day() -> None:
    """A chosen start on Koningsdag 2027 (a Tuesday) moves the richtgesprek to the 28th."""
    dates = cycle_dates(CAL, date(2027, 4, 27), 1)
    assert dates.richtgesprek == date(2027, 4, 28)
    assert dates.beoordelingsgesprek == date(2028, 2, 28)


@pytest.mark.parametrize(
    ("contract", "months", "expected"),
    [
        ("vast", None, 1),
        ("tijdelijk", 12, 1),
        ("tijdelijk", 6, None),  # at most six months: no probation, no automatic cycle
        ("stage", 12, None),
        ("inhuur", 9, None),
        ("bestuurder", None, None),
    ],
)
def test_ges_1_probation_per_contract_type(
    contract: str, months: int | None, expected: int | None
) -> None:
    """Only contract types in the table get a cycle; short temporary contracts do not."""
    assert probation_months_for(contract, months, TABLE, 6) == expected


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=2),
    st.integers(min_value=1, max_value=30),
)
def test_ges_1_richtgesprek_is_always_a_working_day_after_probation(
    start: date, probation: int, after: int
) -> None:
    """Whatever the start, the richtgesprek is a working day after the probation period."""
    first_day = CAL.first_working_day(start)
    richt = richtgesprek_after_probation(CAL, first_day, probation, after)
    assert CAL.is_working_day(richt)
    assert richt >= add_months(first_day, probation)
    dates = cycle_dates(CAL, richt, 1)
    assert CAL.is_working_day(dates.beoordelingsgesprek)
    assert dates.beoordelingsgesprek >= add_months(richt, 10)


def test_ges_1_only_a_leidinggevende_of_the_municipality_holds_the_talks() -> None:
    """The talks of a case are held by a leidinggevende of its own municipality (also the extra
    appraisal of GES-5); a medewerker or a leidinggevende elsewhere is refused."""
    assert holds_talks({"leidinggevende", "mt_lid"}, "kaag-en-braassem", "kaag-en-braassem")
    assert not holds_talks({"medewerker"}, "kaag-en-braassem", "kaag-en-braassem")
    assert not holds_talks({"leidinggevende"}, "hardenberg", "kaag-en-braassem")


def _again(day: date, talk_due: date | None = None) -> date | None:
    """The next look of a hire who started Monday 1 February 2027 (a six-month programme)."""
    programme_end = introduction_end(CAL, date(2027, 2, 1), 6)
    return next_introduction_check(
        CAL, day, programme_end, talk_due, every_working_days=5, wait_max_months=3
    )


def test_ges_1_the_cycle_looks_for_the_startontwikkelgesprek_until_three_months_after() -> None:
    """From the programme's end the cycle looks again every five working days, not before the
    talk's own date, the last time on the day the wait ends; after that P&O is told (None)."""
    assert introduction_end(CAL, date(2027, 2, 1), 6) == date(2027, 8, 2)
    assert _again(date(2027, 8, 2)) == date(2027, 8, 9)
    assert _again(date(2027, 8, 2), talk_due=date(2027, 9, 15)) == date(2027, 9, 15)
    assert _again(date(2027, 10, 29)) == date(2027, 11, 2)  # capped at the end of the wait
    assert _again(date(2027, 11, 2)) is None
    assert _again(date(2027, 12, 1)) is None


def test_ges_1_the_held_startontwikkelgesprek_is_or_precedes_the_first_richtgesprek() -> None:
    """Where it counts as the richtgesprek the held talk is the first one; otherwise the first
    richtgesprek follows the configured number of working days later."""
    held = date(2027, 8, 2)
    assert (
        richtgesprek_after_introduction(
            CAL, held, counts_as_richtgesprek=True, working_days_after=10
        )
        == held
    )
    assert richtgesprek_after_introduction(
        CAL, held, counts_as_richtgesprek=False, working_days_after=10
    ) == date(2027, 8, 16)


# -- GES-2 --------------------------------------------------------------------------------------
def test_ges_2_pop_deadline_is_two_calendar_days_before_the_richtgesprek_as_the_seed_reads() -> (
    None
):
    """By default "uiterlijk twee dagen van te voren" is two calendar days before the talk, moved
    back to a working day when it is not one."""
    assert pop_deadline(CAL, date(2020, 4, 16)) == date(2020, 4, 14)
    assert pop_deadline(CAL, date(2020, 4, 20)) == date(2020, 4, 17)  # Sat 18 -> Fri 17
    assert pop_deadline(CAL, date(2020, 4, 15)) == date(2020, 4, 10)  # Mon 13 is tweede paasdag


def test_ges_2_pop_deadline_in_working_days_when_the_municipality_reads_it_so() -> None:
    """Counted in working days, a Monday 20 April 2020 talk has its POP deadline on Thursday 16."""
    assert pop_deadline(CAL, date(2020, 4, 20), 2, DayCount.WERKDAGEN) == date(2020, 4, 16)
    assert pop_deadline(CAL, date(2020, 4, 16), 2, DayCount.WERKDAGEN) == date(2020, 4, 14)


# -- GES-4: every branch of CAO Gemeenten art. 3.4 -----------------------------------------------
JOINED = date(2020, 3, 1)
ON = date(2021, 3, 1)

RAISE_CASES = [
    # id, scores, at max, last raise, last promotion, on, granted, reasons, to secretaris
    ("all_voldoende", (V, V, V), False, None, None, ON, True, ()),
    ("all_zeer_goed", (ZG, ZG, ZG), False, None, None, ON, True, ()),
    ("mixed_goed", (G, V, ZG), False, None, None, ON, True, ()),
    (
        "onvoldoende_prestatie",
        (ONV, G, G),
        False,
        None,
        None,
        ON,
        False,
        (RaiseReason.ONVOLDOENDE,),
    ),
    (
        "onvoldoende_potentieel",
        (G, ONV, G),
        False,
        None,
        None,
        ON,
        False,
        (RaiseReason.ONVOLDOENDE,),
    ),
    (
        "onvoldoende_kernwaarden",
        (G, G, ONV),
        False,
        None,
        None,
        ON,
        False,
        (RaiseReason.ONVOLDOENDE,),
    ),
    ("scale_max", (ZG, G, G), True, None, None, ON, False, (RaiseReason.SCHAALMAXIMUM,)),
    (
        "too_soon_since_joining",
        (V, V, V),
        False,
        None,
        None,
        date(2021, 2, 28),
        False,
        (RaiseReason.TE_KORT,),
    ),
    ("exactly_12_months_since_joining", (V, V, V), False, None, None, date(2021, 3, 1), True, ()),
    (
        "too_soon_since_last_raise",
        (G, G, G),
        False,
        date(2020, 9, 1),
        None,
        ON,
        False,
        (RaiseReason.TE_KORT,),
    ),
    ("twelve_months_since_last_raise", (G, G, G), False, date(2020, 3, 1), None, ON, True, ()),
    (
        "too_soon_since_promotion",
        (G, G, G),
        False,
        date(2020, 3, 1),
        date(2020, 11, 1),
        ON,
        False,
        (RaiseReason.TE_KORT,),
    ),
    (
        "onvoldoende_and_scale_max",
        (ONV, V, V),
        True,
        None,
        None,
        ON,
        False,
        (RaiseReason.ONVOLDOENDE, RaiseReason.SCHAALMAXIMUM),
    ),
    (
        "everything_against",
        (ONV, ONV, ONV),
        True,
        None,
        date(2021, 1, 1),
        ON,
        False,
        (RaiseReason.ONVOLDOENDE, RaiseReason.SCHAALMAXIMUM, RaiseReason.TE_KORT),
    ),
    (
        "scale_max_and_too_soon",
        (V, V, V),
        True,
        date(2020, 12, 1),
        None,
        ON,
        False,
        (RaiseReason.SCHAALMAXIMUM, RaiseReason.TE_KORT),
    ),
]


@pytest.mark.parametrize(
    ("scores", "at_max", "last_raise", "promotion", "on", "granted", "reasons"),
    [c[1:] for c in RAISE_CASES],
    ids=[c[0] for c in RAISE_CASES],
)
def test_ges_4_raise_rule_table(
    scores: tuple[Score, Score, Score],
    at_max: bool,
    last_raise: date | None,
    promotion: date | None,
    on: date,
    granted: bool,
    reasons: tuple[RaiseReason, ...],
) -> None:
    """Each case of CAO Gemeenten art. 3.4 as seed 001 states it gives the expected outcome."""
    decision = decide_raise(
        Scores(*scores),
        at_scale_max=at_max,
        joined_on=JOINED,
        last_raise_on=last_raise,
        last_promotion_on=promotion,
        on=on,
    )
    assert decision.granted is granted
    assert decision.reasons == reasons
    assert decision.to_gemeentesecretaris is (Score.ONVOLDOENDE in scores)


def test_ges_4_onvoldoende_names_the_components_for_the_gemeentesecretaris() -> None:
    """An onvoldoende lists which components scored it and always goes to the gemeentesecretaris."""
    decision = decide_raise(
        Scores(ONV, V, ONV),
        at_scale_max=False,
        joined_on=JOINED,
        last_raise_on=None,
        last_promotion_on=None,
        on=ON,
    )
    assert decision.onvoldoende == (Component.PRESTATIE, Component.KERNWAARDEN)
    assert decision.to_gemeentesecretaris


def test_ges_4_periodiek_date_is_the_first_anniversary_on_or_after_the_appraisal() -> None:
    """The raise a regular appraisal decides falls on the next anniversary of the anchor."""
    assert periodiek_date(date(2020, 3, 1), date(2021, 2, 16)) == date(2021, 3, 1)
    assert periodiek_date(date(2020, 3, 1), date(2021, 3, 1)) == date(2021, 3, 1)
    assert periodiek_date(date(2018, 6, 15), date(2021, 2, 16)) == date(2021, 6, 15)


score_st = st.sampled_from(list(Score))
opt_date = st.none() | st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@given(
    score_st,
    score_st,
    score_st,
    st.booleans(),
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    opt_date,
    opt_date,
    st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31)),
)
def test_ges_4_property_granted_exactly_when_all_three_conditions_hold(
    p: Score,
    q: Score,
    k: Score,
    at_max: bool,
    joined: date,
    last_raise: date | None,
    promotion: date | None,
    on: date,
) -> None:
    """Granted iff all scores are at least voldoende, the scale maximum is not reached and twelve
    months passed since the latest of joining, raise and promotion; onvoldoende -> secretaris."""
    decision = decide_raise(
        Scores(p, q, k),
        at_scale_max=at_max,
        joined_on=joined,
        last_raise_on=last_raise,
        last_promotion_on=promotion,
        on=on,
    )
    latest = max(d for d in (joined, last_raise, promotion) if d is not None)
    sufficient = Score.ONVOLDOENDE not in (p, q, k)
    long_enough = add_months(latest, 12) <= on
    assert decision.granted == (sufficient and not at_max and long_enough)
    assert decision.to_gemeentesecretaris == (not sufficient)
    assert (RaiseReason.ONVOLDOENDE in decision.reasons) == (not sufficient)
    assert (RaiseReason.SCHAALMAXIMUM in decision.reasons) == at_max
    assert (RaiseReason.TE_KORT in decision.reasons) == (not long_enough)


def test_ges_4_any_onvoldoende_goes_to_the_gemeentesecretaris() -> None:
    """One onvoldoende, after a regular or an extra appraisal, is discussed with the
    gemeentesecretaris; scores of at least voldoende are not."""
    assert goes_to_gemeentesecretaris(Scores(ZG, ONV, G))
    assert not goes_to_gemeentesecretaris(Scores(V, V, V))
