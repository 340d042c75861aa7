"""Tests of the "programma" column in the onboarding status table (INT-1, INT-2, INT-5)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow.db.models import Hire
from poflow.introduction.status import COLUMN_TITLE, programme_status, programme_statuses
from poflow.introduction.steps import complete_step
from poflow.onboarding.status import status_rows
from poflow.runtime import run_day
from tests.introduction.support import (
    Spec,
    add_hires,
    ctx_for,
    finish_lines,
    staff,
)

pytestmark = pytest.mark.usefixtures("int_only")


def test_int_2_status_table_shows_each_hires_programme_in_ids_dates_and_counts(sqlite_runtime: Any):
    """INT-1/INT-2/INT-5: enrolled, secondary, excluded and completed hires each show their
    programme status; no names in the cells."""
    rt = sqlite_runtime
    staff(rt)
    add_hires(
        rt,
        [
            Spec("NH-U-A", "vast", None, date(2027, 2, 1)),
            Spec("NH-U-S", "payroll", 6, date(2027, 2, 1)),
            Spec("NH-U-X", "bestuurder", 48, date(2027, 2, 1)),
            Spec("NH-U-D", "vast", None, date(2027, 2, 1)),
        ],
    )
    run_day(rt, date(2027, 1, 25), send=False)
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 3, 1), "HB-0004")
        elearning = ctx.step(case_type="hire", case_id="NH-U-A", key="int:elearning:werken_bij")
        assert elearning is not None
        complete_step(ctx, elearning, by="NH-U-A", source="link")
    finish_lines(rt, "NH-U-D", date(2027, 8, 2))  # the closing talk after its six months
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 8, 2), "HB-0004")
        talk = ctx.step(case_type="hire", case_id="NH-U-D", key="int:startontwikkelgesprek")
        assert talk is not None
        complete_step(ctx, talk, by="HB-0004", source="cli")
    assert [c.title for c in rt.registry.status_columns] == [COLUMN_TITLE]
    with rt.factory() as session:
        rows = {
            r["hire"]: r[COLUMN_TITLE]
            for r in status_rows(
                session,
                rt.config("hardenberg"),
                date(2027, 3, 1),
                columns=rt.registry.status_columns,
                configs=rt.configs,
            )
        }
    assert rows == {
        "NH-U-A": "loopt (volledig): 1/11 afgerond, tot maandag 2 augustus 2027",
        "NH-U-S": "niet aangemeld (secundair)",
        "NH-U-X": "uitgesloten",
        "NH-U-D": "afgerond",
    }
    with rt.factory() as session:  # the table's batch read says what one hire's read says
        hires = list(session.scalars(select(Hire).order_by(Hire.id)))
        one_by_one = {
            h.id: programme_status(session, h, date(2027, 3, 1), rt.config(h.municipality))
            for h in hires
        }
        assert programme_statuses(session, hires, date(2027, 3, 1), rt.configs) == one_by_one
