"""A simulated year of the introduction programme with 20 synthetic hires (INT-1, INT-3, INT-6)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from poflow.introduction.attendance import answer_invitation, record_attendance
from poflow.introduction.config import section
from poflow.introduction.models import IntroSession
from poflow.introduction.planner import enrol
from poflow.introduction.rules import programme_end, series_dates
from poflow.introduction.states import OPEN, SessionState
from tests.introduction.support import (
    Spec,
    add_hires,
    ctx_for,
    event,
    simulate,
    staff,
)

FIRST, LAST = date(2027, 1, 1), date(2027, 12, 31)
PRIMARY_CONTRACTS = [("vast", None), ("tijdelijk", 12), ("stage", 9), ("tijdelijk", 7)]
SECONDARY = [("stage", 4), ("detachering", 12), ("payroll", 6), ("inhuur", 9)]


def _hires() -> tuple[list[Spec], list[Spec], list[Spec]]:
    primary = [
        Spec(f"NH-S{i:02d}", *PRIMARY_CONTRACTS[i % 4], date(2027, 1, 4) + timedelta(days=17 * i))
        for i in range(14)
    ]
    secondary = [
        Spec(f"NH-S{14 + i:02d}", ct, m, date(2027, 2, 10) + timedelta(days=40 * i))
        for i, (ct, m) in enumerate(SECONDARY)
    ]
    excluded = [
        Spec(f"NH-S{18 + i:02d}", "bestuurder", 48, date(2027, 3, 1 + 7 * i)) for i in range(2)
    ]
    return primary, secondary, excluded


@pytest.mark.usefixtures("int_only")
def test_int_1_3_6_a_year_with_20_hires_invites_every_eligible_hire_and_nobody_else(
    sqlite_runtime: Any, smtp: Any
):
    """INT-1/INT-3/INT-6: over 2027 every primary hire gets an invitation (with .ics) to the
    first start meeting after starting and to every evaluation within their six months; the
    one who missed a start meeting and the one who declined an evaluation are re-invited to the
    next; the light-variant hire only to a start meeting; excluded and unenrolled hires to none."""
    rt = sqlite_runtime
    staff(rt)
    primary, secondary, excluded = _hires()
    add_hires(rt, [*primary, *secondary, *excluded])
    missed_start, declined_eval = primary[3].hire_id, primary[5].hire_id
    light = secondary[2].hire_id  # payroll: enrolled by P&O (light variant)
    marked: set[tuple[str, str]] = set()

    def p_and_o(day: date) -> None:
        """P&O's part of each day: enrol the payroll hire, answer and record attendance."""
        with rt.factory() as session, session.begin():
            ctx = ctx_for(rt, session, day, "HB-0002")
            if day == date(2027, 4, 1):
                enrol(ctx, light, by="HB-0002")
            planned = session.scalars(
                select(IntroSession).where(IntroSession.state == SessionState.PLANNED)
            ).all()
            for s in planned:
                for p in s.participants:
                    key = (p.hire_id, s.series)
                    if (
                        p.hire_id == declined_eval
                        and s.series == "evaluatie"
                        and key not in marked
                        and p.status in OPEN
                    ):
                        answer_invitation(ctx, p, accept=False, by=p.hire_id)
                        marked.add(key)
                    elif s.session_date < day and p.status in OPEN:
                        first_miss = key == (missed_start, "start") and key not in marked
                        record_attendance(ctx, p, attended=not first_miss, by="HB-0002")
                        marked.add(key)

    simulate(rt, FIRST, LAST, series=("start", "evaluatie"), after_day=p_and_o)

    invited: dict[str, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    second_chance: dict[str, list[date]] = defaultdict(list)
    by_local = {
        s.hire_id.lower().replace("-", ""): s.hire_id for s in (*primary, *secondary, *excluded)
    }
    for msg in smtp.messages:
        local = str(msg["To"]).split("<")[-1].split("@")[0]
        found = event(msg)
        if local not in by_local or found is None or found[2] != "REQUEST":
            continue
        invited[by_local[local]][found[0]].append(found[1])
        if str(msg["Subject"]).startswith("Nieuwe kans"):
            second_chance[by_local[local]].append(found[1])

    cfg = section(rt.config("hardenberg"))
    cal = rt.config("hardenberg").calendar
    # sessions whose invitation window opened within the simulated year
    starts, evals = (
        [
            d
            for d in series_dates(c.rule(), cal, FIRST, LAST + timedelta(days=60))
            if cal.add_working_days(d, -c.invite_working_days_before) <= LAST
        ]
        for c in (cfg.start_meeting, cfg.evaluation)
    )
    for spec in primary:
        first_day = cal.first_working_day(spec.start)
        end = programme_end(cal, first_day, 6)
        first_start = next(s for s in starts if s >= first_day)
        expected_starts = [first_start]
        if spec.hire_id == missed_start:
            expected_starts.append(starts[starts.index(first_start) + 1])
        assert invited[spec.hire_id]["Startbijeenkomst"] == expected_starts, spec
        eligible = [e for e in evals if first_day <= e <= end]
        assert eligible, spec  # every primary hire has at least one evaluation in 2027
        got = invited[spec.hire_id]["Evaluatiebijeenkomst"]
        assert set(eligible) <= set(got), spec
        assert len(got) == len(set(got)), spec  # nobody is invited twice to one session
        extra = sorted(set(got) - set(eligible))
        assert extra == ([] if spec.hire_id != declined_eval else extra[:1]), spec
    assert second_chance[missed_start] == [
        starts[
            starts.index(next(s for s in starts if s >= cal.first_working_day(primary[3].start)))
            + 1
        ]
    ]
    assert len(second_chance[declined_eval]) == 1
    assert set(invited[light]) == {"Startbijeenkomst"}  # INT-6: light has no evaluation
    for spec in [*excluded, *(s for s in secondary if s.hire_id != light)]:
        assert spec.hire_id not in invited, spec  # INT-1: never invited
