"""Tests of a mail's Date header in simulated runs: the simulated day, not the real one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from poflow.kernel.calendar import TZ
from poflow.mail.sending import mail_date
from tests.conftest import SmtpRecorder
from tests.support import simulate


def test_a_simulated_day_dates_every_mail_it_sends(example_data: Any, smtp: SmtpRecorder):
    """Every mail sent on a simulated day carries that day in its Date header."""
    days = (date(2027, 1, 4), date(2027, 1, 18))
    per_day = simulate(example_data, smtp, days[0], days[0])
    per_day.update(simulate(example_data, smtp, days[1], days[1]))
    for day in days:
        assert per_day[day], day
        dated = {parsedate_to_datetime(str(m["Date"])).astimezone(TZ).date() for m in per_day[day]}
        assert dated == {day}


def test_a_real_day_dates_a_mail_when_it_was_queued():
    """Outside a simulation the Date is the moment the mail was queued; a simulated day keeps
    that clock time (Europe/Amsterdam, summer time included)."""
    queued = datetime(2026, 12, 6, 6, 30, tzinfo=UTC)  # 07:30 in Amsterdam
    assert mail_date(queued) == queued
    assert mail_date(queued, date(2026, 12, 6)) == queued
    assert mail_date(queued, date(2027, 7, 1)) == datetime(2027, 7, 1, 5, 30, tzinfo=UTC)
