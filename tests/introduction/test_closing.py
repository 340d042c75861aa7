"""INT-2/INT-5: the startontwikkelgesprek closes the programme only after its six months and after
the lines, and the TMA debrief takes about three hours (issue 22, item 10)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import ClosingRefused
from poflow.db.models import Hire
from poflow.introduction.models import Enrolment, IntroSession, SessionParticipant
from poflow.introduction.states import EnrolmentState
from poflow.introduction.status import programme_status
from poflow.introduction.steps import complete_step
from poflow.runtime import run_day
from tests.introduction.support import Spec, add_hires, ctx_for, finish_lines, plan_all, staff

pytestmark = pytest.mark.usefixtures("int_only")

A = "NH-C-A"  # vast, starts Monday 1 February 2027: the programme ends Monday 2 August 2027
END = date(2027, 8, 2)
TALK = "int:startontwikkelgesprek"


@pytest.fixture
def rt(sqlite_runtime: Any) -> Any:
    """One enrolled hire with the own line planned."""
    staff(sqlite_runtime)
    add_hires(sqlite_runtime, [Spec(A, "vast", None, date(2027, 2, 1))])
    run_day(sqlite_runtime, date(2027, 1, 25), send=False)
    return sqlite_runtime


def _close(rt: Any, day: date) -> None:
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, day, "HB-0004")
        talk = ctx.step(case_type="hire", case_id=A, key=TALK)
        assert talk is not None
        complete_step(ctx, talk, by="HB-0004", source="link")


def _state(rt: Any) -> EnrolmentState:
    with rt.factory() as session:
        return session.scalars(select(Enrolment.state).where(Enrolment.hire_id == A)).one()


def test_int_2_the_closing_talk_a_month_in_is_refused_and_the_sessions_keep_inviting(
    rt: Any,
) -> None:
    """Recording the startontwikkelgesprek after one month is refused with a Dutch message
    naming the end of the six months; the enrolment stays active and the evaluation session
    of 20 July 2027 still invites the hire."""
    with pytest.raises(ClosingRefused) as refused:
        _close(rt, date(2027, 3, 1))
    assert str(refused.value) == (
        "Het startontwikkelgesprek sluit het introductieprogramma af na zes maanden: het kan "
        "vanaf maandag 2 augustus 2027 worden vastgelegd, niet op maandag 1 maart 2027."
    )
    assert _state(rt) == EnrolmentState.ACTIVE
    with rt.factory() as session:
        hire = session.get_one(Hire, A)
        assert programme_status(session, hire, date(2027, 3, 1), rt.config("hardenberg")) == (
            "loopt (volledig): 0/11 afgerond, tot maandag 2 augustus 2027"
        )
    plan_all(rt, date(2027, 6, 29), ("evaluatie",))
    with rt.factory() as session:
        invited = session.scalars(
            select(IntroSession.session_date)
            .join(SessionParticipant.session)
            .where(SessionParticipant.hire_id == A, IntroSession.series == "evaluatie")
        ).all()
    assert date(2027, 7, 20) in invited


def test_int_2_the_closing_talk_waits_for_the_lines_then_closes_the_programme(rt: Any) -> None:
    """On the last day of the six months the talk is refused while the e-learning and the TMA
    debrief are open, naming them; with the lines done it closes the programme."""
    with pytest.raises(ClosingRefused) as refused:
        _close(rt, END)
    message = str(refused.value)
    assert message.startswith("Het startontwikkelgesprek sluit het introductieprogramma af als")
    for title in (
        "TalentenMotivatieAnalyse (TMA) en nabespreking",
        "E-learning: werken bij de gemeente (7 x 20 minuten)",
        "E-learning: informatieveiligheid (6 x 20 minuten)",
    ):
        assert title in message
    assert _state(rt) == EnrolmentState.ACTIVE
    finish_lines(rt, A, END)
    _close(rt, END)
    assert _state(rt) == EnrolmentState.COMPLETED


def test_int_5_the_tma_debrief_is_planned_for_about_three_hours(rt: Any) -> None:
    """The TMA nabespreking with the loopbaancoach ("ca. 3 uur") is planned for 180 minutes,
    the startontwikkelgesprek for the configured talk length."""
    with rt.factory() as session:
        ctx = ctx_for(rt, session, date(2027, 1, 25))
        tma = ctx.step(case_type="hire", case_id=A, key="int:tma")
        talk = ctx.step(case_type="hire", case_id=A, key=TALK)
        assert tma is not None
        assert talk is not None
        assert tma.starts_at is not None
        assert tma.ends_at is not None
        assert tma.ends_at - tma.starts_at == timedelta(hours=3)
        assert talk.starts_at is not None
        assert talk.ends_at is not None
        assert talk.ends_at - talk.starts_at == timedelta(minutes=90)
