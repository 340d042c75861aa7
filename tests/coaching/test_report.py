"""The yearly report from name-free records (LBC-1..3): seed 004's tables, progress during the
year, blank cells, and no place for a name; rendered for the terminal, as TSV and markdown."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

import pytest

from poflow.coaching.render import render_markdown, render_text, render_tsv
from poflow.coaching.report import CoachingRecord, build_report, goal_table
from poflow.coaching.states import GoalState, TrajectoryState
from tests.coaching.support import SEED, section, seed_records, seed_rows, seed_tables


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


class TestSeed004:
    """Seed 004's 2019-2020 figures give its two tables (LBC-1/2)."""

    def test_lbc_1_seed_rows_have_the_seed_counts(self) -> None:
        """The fictional rows hold 63 registrations, 13 in 2019, 17 in traject and 5 stopped
        early."""
        rows = seed_rows()
        assert len(rows) == 63
        assert Counter(r["registered_on"].year for r in rows) == {2019: 13, 2020: 50}
        assert Counter(r["state"] for r in rows) == {
            TrajectoryState.COMPLETED: 41,
            TrajectoryState.ACTIVE: 17,
            TrajectoryState.ENDED_EARLY: 5,
        }

    @pytest.mark.skipif(not SEED.is_file(), reason="seed 004 is not next to the project")
    def test_lbc_2_report_reproduces_the_seed_tables_exactly(self) -> None:
        """The 2020 report of the seed's records prints seed 004's two tables line for line."""
        report = build_report(
            seed_records(),
            section=section(),
            municipality="Gemeente Hardenberg",
            year=2020,
            as_of=date(2021, 1, 15),
        )
        produced = [line.rstrip() for line in render_tsv(report).splitlines()]
        assert produced == seed_tables()
        assert (report.period_start, report.total) == (date(2019, 10, 1), 63)

    def test_lbc_2_a_goal_nobody_set_stays_blank_as_in_the_seed(self) -> None:
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
