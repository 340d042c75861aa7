"""INT-4: the e-learning "moet binnen de periode van 6 maanden zijn afgerond" (issue 22, item 11):
due at the programme's end, the employee and their leidinggevende told once when it passes, the
status showing it late, and a later completion recorded as late."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow.db.models import AuditEntry, Hire, Step
from poflow.introduction.portfolio import portfolio
from poflow.introduction.status import programme_status
from poflow.states import StepState
from tests.introduction.support import (
    MANAGER_EMAIL,
    Spec,
    add_hires,
    body,
    ctx_for,
    follow_link,
    messages,
    received,
    run_capture,
    staff,
    tokens,
)

pytestmark = pytest.mark.usefixtures("int_only")

A = "NH-E-A"  # vast, starts Monday 1 February 2027: the six months end Monday 2 August 2027
A_WORK = "nhea@hardenberg.example.nl"
LATE_SUBJECT = "nog niet afgerond"


def _status(rt: Any, day: date) -> str:
    with rt.factory() as session:
        hire = session.get_one(Hire, A)
        return programme_status(session, hire, day, rt.config("hardenberg"))


def test_int_4_the_deadline_tells_employee_and_leidinggevende_once_and_marks_it_late(
    sqlite_runtime: Any, smtp: Any
) -> None:
    """Both e-learnings are due 2 August 2027; on the working day after it the employee (with a
    done link per module) and the leidinggevende each get one Dutch mail, the status and the
    portfolio say "te laat", and a completion on 4 August is certified and recorded as late."""
    rt = sqlite_runtime
    staff(rt)
    add_hires(rt, [Spec(A, "vast", None, date(2027, 2, 1))])
    run_capture(rt, smtp, date(2027, 1, 25), date(2027, 1, 25), series=())
    with rt.factory() as session:
        due = {
            s.key: s.due_date
            for s in session.scalars(select(Step).where(Step.key.like("int:elearning:%")))
        }
    assert due == {
        "int:elearning:werken_bij": date(2027, 8, 2),
        "int:elearning:infoveiligheid": date(2027, 8, 2),
    }
    per_day = run_capture(rt, smtp, date(2027, 7, 26), date(2027, 8, 6), series=())
    assert received(per_day, to=A_WORK, subject=LATE_SUBJECT) == [date(2027, 8, 3)]
    assert received(per_day, to=MANAGER_EMAIL, subject=LATE_SUBJECT) == [date(2027, 8, 3)]
    mine = messages(per_day, to=A_WORK, subject=LATE_SUBJECT)[0]
    boss = messages(per_day, to=MANAGER_EMAIL, subject=LATE_SUBJECT)[0]
    assert str(mine["Subject"]) == "Je e-learning is nog niet afgerond"
    assert str(boss["Subject"]) == f"E-learning van Test Nieuw {A} nog niet afgerond"
    for msg in (mine, boss):
        text = body(msg)
        assert "uiterlijk maandag 2 augustus 2027 af zijn" in text
        assert "E-learning: werken bij de gemeente (7 x 20 minuten)" in text
        assert "E-learning: informatieveiligheid (6 x 20 minuten)" in text
        assert "poflow intro" not in text  # no terminal commands in a mail
    assert len(tokens(mine)) == 2
    assert tokens(boss) == []
    assert _status(rt, date(2027, 8, 2)) == (
        "loopt (volledig): 0/11 afgerond, tot maandag 2 augustus 2027"
    )
    assert _status(rt, date(2027, 8, 3)).endswith(
        "tot maandag 2 augustus 2027; e-learning te laat: werken_bij, infoveiligheid"
    )

    page = follow_link(rt, tokens(mine)[0], date(2027, 8, 4))
    assert page == (
        "'E-learning: werken bij de gemeente (7 x 20 minuten)' staat als afgerond in je "
        "portfolio, na de deadline van maandag 2 augustus 2027: we noteren het als te laat."
    )
    with rt.factory() as session:
        ctx = ctx_for(rt, session, date(2027, 8, 4))
        lines = {line.key: line.status for line in portfolio(ctx, session.get_one(Hire, A)).lines}
        done = session.scalars(select(AuditEntry).where(AuditEntry.action == "step.done")).one()
        step = session.scalars(select(Step).where(Step.key == "int:elearning:werken_bij")).one()
    assert lines["werken_bij"] == "afgerond, te laat"
    assert lines["infoveiligheid"] == "te laat, uiterlijk maandag 2 augustus 2027"
    assert step.state == StepState.DONE
    assert done.detail.get("late") is True
    assert _status(rt, date(2027, 8, 4)).endswith("e-learning te laat: infoveiligheid")
    per_day = run_capture(rt, smtp, date(2027, 8, 5), date(2027, 8, 31), series=())
    assert received(per_day, to=A_WORK, subject=LATE_SUBJECT) == []  # told once
