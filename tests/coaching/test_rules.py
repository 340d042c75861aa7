"""The pure rules of career coaching (LBC-2/3): report periods and years, targets and progress,
who may be told, when a trajectory may end. No database."""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow.coaching.rules import (
    end_date_allowed,
    grown,
    may_inform_manager,
    progress,
    report_period,
    report_year,
    target_for,
)


class TestReportPeriod:
    """Which days and which year a report covers (LBC-2)."""

    def test_lbc_2_first_report_covers_the_pilot_months_and_later_ones_the_calendar_year(
        self,
    ) -> None:
        """Seed 004's first report runs from 1 October 2019; the 2021 one is the calendar year."""
        kwargs: dict[str, Any] = {"service_start": date(2019, 10, 1), "first_report_year": 2020}
        assert report_period(2020, **kwargs) == (date(2019, 10, 1), date(2020, 12, 31))
        assert report_period(2021, **kwargs) == (date(2021, 1, 1), date(2021, 12, 31))
        assert report_period(2021) == (date(2021, 1, 1), date(2021, 12, 31))

    def test_lbc_2_the_run_of_1_january_reports_the_year_just_ended(self) -> None:
        """A run on 1 January covers the year before; a later run covers its own year."""
        assert report_year(date(2021, 1, 1)) == 2020
        assert report_year(date(2021, 1, 2)) == 2021
        assert report_year(date(2021, 12, 31)) == 2021


class TestTargets:
    """The registrations target and the progress towards it (LBC-2)."""

    def test_lbc_2_target_grows_last_year_by_the_configured_percentage(self) -> None:
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

    def test_lbc_2_progress_compares_with_the_target_spread_over_the_year(self) -> None:
        """On 1 July, 27 of 60 is behind an even spread (30), 31 is on track."""
        target = target_for(2021, counts={2020: 50}, growth_percent=20, fixed={})
        assert target is not None
        behind = progress(target, count=27, as_of=date(2021, 7, 1))
        ahead = progress(target, count=31, as_of=date(2021, 7, 1))
        assert (behind.expected_by_now, behind.percent, behind.on_track) == (30, 45, False)
        assert ahead.on_track


class TestRecordRules:
    """What a coach may record and who is told (LBC-2/3)."""

    def test_lbc_3_the_manager_is_told_only_with_consent_and_a_known_manager(self) -> None:
        """Consent and a leidinggevende are both needed before anyone is told."""
        assert may_inform_manager(True, "HB-0004")
        assert not may_inform_manager(False, "HB-0004")
        assert not may_inform_manager(True, None)
        assert not may_inform_manager(True, "")

    def test_lbc_2_a_trajectory_ends_between_its_registration_and_today(self) -> None:
        """The end date lies on or after the registration date and not after today."""
        kwargs = {"registered_on": date(2027, 2, 15), "today": date(2027, 3, 1)}
        assert end_date_allowed(date(2027, 2, 15), **kwargs)
        assert end_date_allowed(date(2027, 3, 1), **kwargs)
        assert not end_date_allowed(date(2027, 2, 14), **kwargs)
        assert not end_date_allowed(date(2027, 3, 2), **kwargs)
