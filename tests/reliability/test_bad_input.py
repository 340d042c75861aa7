"""Bad input corpus: malformed imports, CLI arguments, config files, templates and link requests.

Each case gets a clear error naming what is wrong, and the database is the same before and
after (nothing is partly written). The hypothesis tests at the end check the process date
rules (CHK-1, GES-1/2, INT-2/4, REC-12) on any start date and any municipality closing days.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poflow._exceptions import PoflowError
from tests.reliability.bad_input_corpus import CASES, Case, CliFailed, Refused, set_link_token
from tests.reliability.support import record
from tests.web.support import (
    snapshot,
)


def _gist(exc: BaseException) -> str:
    """The telling line of an error: an HTTP status and page title, or the problem named."""
    message = str(exc)
    if message[:3].isdigit():
        title = re.search(r"<title>(.*?)</title>", message, re.S)
        return html.unescape(f"HTTP {message[:3]}: {title.group(1).strip() if title else ''}")
    problems = getattr(exc, "problems", None) or message.splitlines()
    lines = [ln.strip(" -│╭╰─") for ln in problems if sum(ch.isalnum() for ch in ln) > 3]
    return re.sub(
        r"/tmp/\S+/", "", lines[0 if getattr(exc, "problems", None) else -1] if lines else ""
    )[:160]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.area}-{c.name}" for c in CASES])
def test_x_5_a_malformed_input_is_refused_by_name_and_writes_nothing(
    case: Case, hardenberg: Any, tmp_path: Path
):
    """The input is refused with an error naming what is wrong; no row changes."""
    rt = hardenberg
    if case.area == "link":
        set_link_token(rt)
    before = snapshot(rt)
    try:
        case.attempt(rt, tmp_path)
    except (PoflowError, CliFailed, Refused) as exc:
        refusal: BaseException = exc
    except Exception as exc:  # an unexpected crash: recorded as not rejected, then shown
        record(
            "bad_input",
            area=case.area,
            case=case.name,
            rejected=False,
            named=False,
            unchanged=snapshot(rt) == before,
            error=type(exc).__name__,
            says="crashed",
        )
        raise
    else:
        record(
            "bad_input",
            area=case.area,
            case=case.name,
            rejected=False,
            named=False,
            unchanged=snapshot(rt) == before,
            error="-",
            says="accepted",
        )
        pytest.fail(f"{case.area} input {case.name!r} was accepted")
    message = str(refusal)
    named = [w for w in case.expect if w.lower() in message.lower()]
    after = snapshot(rt)
    # A refusal's audit row and its count, and the audit chain the command seals on closing
    # (rows written before it; sealing changes no business row).
    recorded = ("audit", "audit_chain", "refusal_tally")
    untouched = {k: v for k, v in after.items() if k not in recorded} == {
        k: v for k, v in before.items() if k not in recorded
    }
    audit_added = len(after.get("audit", [])) - len(before.get("audit", []))
    record(
        "bad_input",
        area=case.area,
        case=case.name,
        rejected=True,
        named=len(named) == len(case.expect),
        unchanged=untouched,
        error=type(refusal).__name__,
        says=_gist(refusal),
    )
    assert named == list(case.expect), message[:600]
    assert untouched, [k for k in after if after[k] != before.get(k)]
    # a refused link (forged, altered, CSRF) leaves exactly its own audit row; a form
    # error, an oversized body, an unknown page and every other input leave none
    audited = case.area == "link" and message[:3] in {"400", "403", "410"}
    assert audit_added == (1 if audited else 0), message[:300]


def test_x_5_the_corpus_holds_at_least_fifty_inputs_in_every_area():
    """The corpus covers imports, CLI, config, templates and links with 50 or more inputs."""
    areas = {c.area for c in CASES}
    assert len(CASES) >= 50
    assert areas == {"import", "cli", "config", "template", "link"}


# -- hypothesis: the date rules of the processes ------------------------------------------------
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31))
CLOSING = st.lists(DAYS, max_size=15)


@settings(max_examples=150, deadline=None)
@given(
    start=DAYS,
    closing=CLOSING,
    months=st.lists(st.integers(1, 24), min_size=1, max_size=5, unique=True),
)
def test_chk_1_check_in_dates_are_working_days_in_order_after_the_first_day(
    start: date, closing: list[date], months: list[int]
):
    """Every check-in falls on a working day, N months on or just after, in the given order."""
    from poflow.checkins.rules import checkin_dates
    from poflow.kernel.calendar import WorkCalendar, add_months

    cal = WorkCalendar(closing)
    first = cal.first_working_day(start)
    months = sorted(months)
    got = checkin_dates(cal, first, months)
    assert all(cal.is_working_day(d) for d in got)
    assert got == sorted(got)
    assert len(set(got)) <= len(got)
    for m, d in zip(months, got, strict=True):
        nominal = add_months(first, m)
        assert d >= nominal
        assert d == cal.next_working_day(nominal)


@settings(max_examples=150, deadline=None)
@given(
    start=DAYS,
    closing=CLOSING,
    probation=st.integers(0, 12),
    after=st.integers(1, 30),
    before=st.integers(1, 10),
)
def test_ges_1_2_richtgesprek_after_probation_and_pop_deadline_before_it(
    start: date, closing: list[date], probation: int, after: int, before: int
):
    """The richtgesprek is a working day after probation; the POP is due that many working days,
    or at least that many calendar days, before it, on a working day."""
    from poflow.conversations.rules import (
        DayCount,
        cycle_dates,
        pop_deadline,
        richtgesprek_after_probation,
    )
    from poflow.kernel.calendar import WorkCalendar, add_months

    cal = WorkCalendar(closing)
    first = cal.first_working_day(start)
    richt = richtgesprek_after_probation(cal, first, probation, after)
    assert cal.is_working_day(richt)
    assert richt >= add_months(first, probation)
    deadline = pop_deadline(cal, richt, before, DayCount.WERKDAGEN)
    assert cal.is_working_day(deadline)
    assert deadline < richt
    assert cal.working_days_between(deadline, richt) in {before, before + 1}
    by_calendar = pop_deadline(cal, richt, before)
    assert cal.is_working_day(by_calendar)
    assert (richt - by_calendar).days >= before
    cycle = cycle_dates(cal, richt, 1)
    assert cal.is_working_day(cycle.beoordelingsgesprek)
    assert cycle.beoordelingsgesprek >= add_months(richt, 10)


@settings(max_examples=150, deadline=None)
@given(
    start=DAYS,
    closing=CLOSING,
    months=st.integers(1, 12),
    before=st.lists(st.integers(1, 40), min_size=1, max_size=4),
)
def test_int_2_4_programme_end_and_reminders_fall_on_working_days_before_it(
    start: date, closing: list[date], months: int, before: list[int]
):
    """The programme ends on a working day N months on; each reminder is a working day before."""
    from poflow.introduction.rules import programme_end, reminder_dates
    from poflow.kernel.calendar import WorkCalendar, add_months

    cal = WorkCalendar(closing)
    first = cal.first_working_day(start)
    end = programme_end(cal, first, months)
    assert cal.is_working_day(end)
    assert end >= add_months(first, months)
    reminders = reminder_dates(cal, end, before)
    assert reminders == sorted(set(reminders))
    assert all(cal.is_working_day(d) and first - timedelta(days=120) < d < end for d in reminders)


@settings(max_examples=100, deadline=None)
@given(start=DAYS, closing=CLOSING, waiting=st.integers(0, 400))
def test_rec_12_the_referral_notice_is_a_working_day_after_the_waiting_period(
    start: date, closing: list[date], waiting: int
):
    """The salary administration hears of a referral on a working day after the waiting days."""
    from poflow.kernel.calendar import WorkCalendar
    from poflow.recruitment.rules import referral_notice_day

    cal = WorkCalendar(closing)
    first = cal.first_working_day(start)
    day = referral_notice_day(first, waiting, cal)
    assert cal.is_working_day(day)
    assert day >= first + timedelta(days=waiting)
    assert all(
        not cal.is_working_day(first + timedelta(days=waiting + i))
        for i in range((day - first).days - waiting)
    )
