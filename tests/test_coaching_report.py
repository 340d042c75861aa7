"""Pure rules of the coaching report (LBC-1..3): periods, targets, progress, states, config."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from poflow._exceptions import ConfigError, IllegalTransition
from poflow.coaching.config import CoachingSection
from poflow.coaching.render import render_markdown, render_text
from poflow.coaching.report import CoachingRecord, build_report, goal_table
from poflow.coaching.rules import (
    end_date_allowed,
    grown,
    may_inform_manager,
    progress,
    report_period,
    report_year,
    target_for,
)
from poflow.coaching.states import (
    TRAJECTORY_STATES,
    GoalState,
    TrajectoryState,
    check_goal_change,
)
from poflow.config import _load_section
from tests.test_coaching_seed import HARDENBERG, section, seed_records


def test_lbc_3_records_a_report_counts_have_no_place_for_a_name() -> None:
    """The report's input type holds categories, dates and states only, never a person."""
    fields = {f.name for f in dataclasses.fields(CoachingRecord)}
    assert fields == {
        "registered_on",
        "domain",
        "reason",
        "source",
        "state",
        "goal1",
        "goal2",
        "end_reason",
    }


def test_lbc_2_first_report_covers_the_pilot_months_and_later_ones_the_calendar_year() -> None:
    """Seed 004's first report runs from 1 October 2019; the 2021 one is the calendar year."""
    kwargs = {"service_start": date(2019, 10, 1), "first_report_year": 2020}
    assert report_period(2020, **kwargs) == (date(2019, 10, 1), date(2020, 12, 31))
    assert report_period(2021, **kwargs) == (date(2021, 1, 1), date(2021, 12, 31))
    assert report_period(2021) == (date(2021, 1, 1), date(2021, 12, 31))


def test_lbc_2_the_run_of_1_january_reports_the_year_just_ended() -> None:
    """A run on 1 January covers the year before; a run later in the year covers its own year."""
    assert report_year(date(2021, 1, 1)) == 2020
    assert report_year(date(2021, 1, 2)) == 2021
    assert report_year(date(2021, 12, 31)) == 2021


def test_lbc_3_the_manager_is_told_only_with_consent_and_a_known_manager() -> None:
    """Consent and a leidinggevende are both needed before anyone is told."""
    assert may_inform_manager(True, "HB-0004")
    assert not may_inform_manager(False, "HB-0004")
    assert not may_inform_manager(True, None)
    assert not may_inform_manager(True, "")


def test_lbc_2_a_trajectory_ends_between_its_registration_and_today() -> None:
    """The end date lies on or after the registration date and not after today."""
    kwargs = {"registered_on": date(2027, 2, 15), "today": date(2027, 3, 1)}
    assert end_date_allowed(date(2027, 2, 15), **kwargs)
    assert end_date_allowed(date(2027, 3, 1), **kwargs)
    assert not end_date_allowed(date(2027, 2, 14), **kwargs)
    assert not end_date_allowed(date(2027, 3, 2), **kwargs)


def test_lbc_2_target_grows_last_year_by_the_configured_percentage() -> None:
    """50 registrations in 2020 plus 20 % is the seed's 60 for 2021; a fixed target wins."""
    assert grown(50, 20) == 60
    assert grown(51, 20) == 62
    computed = target_for(2021, counts={2020: 50}, growth_percent=20, fixed={})
    assert computed is not None
    assert (computed.value, computed.fixed) == (60, False)
    fixed = target_for(2021, counts={2020: 50}, growth_percent=20, fixed={2021: 65})
    assert fixed is not None
    assert (fixed.value, fixed.fixed) == (65, True)
    assert (
        target_for(2020, counts={2019: 13}, growth_percent=20, fixed={}, first_report_year=2020)
        is None
    )  # 2019 was not a full year
    assert target_for(2022, counts={}, growth_percent=20, fixed={}) is None


def test_lbc_2_progress_compares_with_the_target_spread_over_the_year() -> None:
    """On 1 July, 27 of 60 is behind an even spread (30), 31 is on track."""
    target = target_for(2021, counts={2020: 50}, growth_percent=20, fixed={})
    assert target is not None
    behind = progress(target, count=27, as_of=date(2021, 7, 1))
    ahead = progress(target, count=31, as_of=date(2021, 7, 1))
    assert (behind.expected_by_now, behind.percent, behind.on_track) == (30, 45, False)
    assert ahead.on_track


def test_lbc_2_report_during_the_year_shows_progress_and_no_guessed_next_target() -> None:
    """A mid-year report shows progress to this year's target; next year's waits for the end."""
    records = [
        *seed_records(),
        CoachingRecord(
            date(2021, 2, 1),
            "bedrijfsvoering",
            "wat_wil_ik",
            "academie",
            TrajectoryState.ACTIVE,
            GoalState.OPEN,
        ),
    ]
    report = build_report(
        records,
        section=section(),
        municipality="Gemeente Hardenberg",
        year=2021,
        as_of=date(2021, 3, 1),
    )
    assert report.total == 1
    assert not report.complete
    assert report.progress is not None
    assert (
        report.progress.count,
        report.progress.target.value,
    ) == (1, 60)
    assert report.next_target is None
    text = render_text(report)
    assert "tussenstand 2021" in text
    assert "Voortgang 2021: 1 van 60 aanmeldingen" in text


def test_lbc_2_a_goal_nobody_set_stays_blank_as_in_the_seed() -> None:
    """Categories without a goal 2 show empty cells, not zeros."""
    report = build_report(
        seed_records(),
        section=section(),
        municipality="Gemeente Hardenberg",
        year=2020,
        as_of=date(2021, 1, 1),
    )
    assert goal_table(report)[2] == ["2 – Ontwikkelvraag – advies", "5", "5", "", ""]
    assert "| **Totaal** | **63** |" in render_markdown(report)


def test_lbc_2_trajectory_and_goal_states_move_only_as_allowed() -> None:
    """Completed is final; stopped can resume; goal 2 needs goal 1; achieved is final."""
    TRAJECTORY_STATES.check("r", TrajectoryState.ENDED_EARLY, TrajectoryState.ACTIVE)
    with pytest.raises(IllegalTransition, match="from 'completed' to 'active'"):
        TRAJECTORY_STATES.check("r", TrajectoryState.COMPLETED, TrajectoryState.ACTIVE)
    with pytest.raises(IllegalTransition, match="goal 1 is not set"):
        check_goal_change("r", 2, None, GoalState.OPEN, goal1=None)
    with pytest.raises(IllegalTransition, match="goal 1 and goal 2 only"):
        check_goal_change("r", 3, None, GoalState.OPEN, goal1=GoalState.OPEN)
    with pytest.raises(IllegalTransition, match="from 'achieved' to 'open'"):
        check_goal_change("r", 1, GoalState.ACHIEVED, GoalState.OPEN, goal1=GoalState.ACHIEVED)


def test_x_5_a_wrong_coaching_yaml_names_file_and_key(tmp_path: Path) -> None:
    """A duplicate key or a negative growth is refused naming the file and the key."""
    text = HARDENBERG.read_text(encoding="utf-8")
    bad = tmp_path / "coaching.yaml"
    bad.write_text(
        text.replace("target_growth_percent: 20", "target_growth_percent: -5"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="key 'target_growth_percent'") as caught:
        _load_section(bad, CoachingSection)
    assert str(bad) in str(caught.value)
    bad.write_text(text.replace("key: ruimtelijk,", "key: bedrijfsvoering,"), encoding="utf-8")
    with pytest.raises(ConfigError, match="domains: every key must be unique"):
        _load_section(bad, CoachingSection)


def test_lbc_1_categories_match_by_key_label_or_number() -> None:
    """'3', 'openbaar gebied' and 'Openbaar gebied' all mean the same domain; junk means none."""
    cfg = section()
    assert {cfg.match("domains", v) for v in ("3", "openbaar gebied", "openbaar_gebied")} == {
        "openbaar_gebied"
    }
    assert cfg.match("reasons", "Ontwikkelvraag - advies") == "ontwikkeladvies"
    assert cfg.match("domains", "9") is None
    assert cfg.match("domains", "") is None


@pytest.mark.parametrize("slug", ["hardenberg", "kaag-en-braassem", "borger-odoorn"])
def test_x_5_every_municipality_ships_the_seed_reason_categories(slug: str) -> None:
    """Each example municipality has coaching.yaml with seed 004's three categories and +20 %."""
    cfg = _load_section(HARDENBERG.parent.parent / slug / "coaching.yaml", CoachingSection)
    assert [c.label for c in cfg.reasons] == [
        "Wat wil ik?",
        "Ontwikkelvraag – advies",
        "Intern of extern andere baan",
    ]
    assert cfg.target_growth_percent == 20
