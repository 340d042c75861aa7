"""The cycle's dated handlers: the start after the introduction programme (GES-1) and the
reminders and escalation of an appraisal form nobody records (GES-3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from poflow.conversations.case import find_cycle
from poflow.conversations.cycle import INTRO_STEP, start_cycle
from poflow.conversations.models import CycleBasis
from poflow.db.models import AuditEntry, Hire, Step
from poflow.engine import TZ, step_close
from poflow.importer import import_hires, import_staff
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conftest import EXAMPLES
from tests.conversations.support import (
    KB,
    add_kb_staff,
    context,
    mails,
    plan_cycle_only,
    text_of,
)

HB = "hardenberg"
LOTTE = "NH-2027-001"  # vast, starts Monday 1 February 2027, manager HB-0004 (example data)


@pytest.fixture
def hardenberg(sqlite_runtime: Any) -> Any:
    """The shared example staff and hires (Hardenberg runs the introduction programme)."""
    with sqlite_runtime.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", sqlite_runtime.configs)
        import_hires(session, EXAMPLES / "hires.csv", sqlite_runtime.configs)
    return sqlite_runtime


def _intro_step(rt: Any) -> Step:
    """The introduction's closing talk of Lotte, as issue 6 plans it (created here if absent)."""
    with rt.factory() as session, session.begin():
        step = session.scalar(select(Step).where(Step.case_id == LOTTE, Step.key == INTRO_STEP))
        if step is None:
            start = datetime(2027, 8, 2, 10, 0, tzinfo=TZ)
            step = Step(
                municipality=HB,
                case_type="hire",
                case_id=LOTTE,
                process="int",
                key=INTRO_STEP,
                title="Startontwikkelgesprek",
                due_date=start.date(),
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                owner_role="leidinggevende",
                owner_id="HB-0004",
                data={},
            )
            session.add(step)
        session.flush()
        session.expunge(step)
        return step


def _hold(rt: Any, step_id: int) -> None:
    with rt.factory() as session, session.begin():
        step_close(session.get(Step, step_id), StepState.DONE, by="HB-0004")


def test_ges_1_cycle_starts_from_the_held_startontwikkelgesprek(hardenberg: Any, smtp: Any) -> None:
    """Where the introduction runs, the cycle waits for its closing startontwikkelgesprek; once
    held, that talk counts as the first richtgesprek and the appraisal follows ten months later
    (full dispatcher days, every process planned)."""
    rt = hardenberg
    run_day(rt, date(2027, 1, 15), municipality=HB)
    intro = _intro_step(rt)
    held_on = intro.starts_at.astimezone(TZ).date() if intro.starts_at else intro.due_date
    programme_end = rt.config(HB).calendar.months_after(date(2027, 2, 1), 6)
    run_day(rt, programme_end, municipality=HB)
    with rt.factory() as session:
        assert find_cycle(session, "hire", LOTTE) is None  # not held yet: look again later
    _hold(rt, intro.id)
    run_day(rt, programme_end + timedelta(days=14), municipality=HB)
    with rt.factory() as session:
        cycle = find_cycle(session, "hire", LOTTE)
        assert cycle is not None
        assert cycle.basis is CycleBasis.INTRODUCTIE
        assert cycle.first_richtgesprek == held_on
        steps = {
            s.key: s
            for s in session.scalars(
                select(Step).where(Step.case_id == LOTTE, Step.process == "ges")
            )
        }
    assert steps["ges:1:richtgesprek"].state == StepState.DONE
    assert "ges:1:pop" not in steps  # the startontwikkelgesprek was the goal-setting talk
    expected = rt.config(HB).calendar.months_after(held_on, 10)
    assert steps["ges:1:beoordelingsgesprek"].due_date == expected
    assert not mails(smtp, "POP-formulier")
    with rt.factory() as session:  # the other example hires are not in a cycle yet
        others = session.scalars(select(Hire.id).where(Hire.id != LOTTE)).all()
        assert all(find_cycle(session, "hire", h) is None for h in others)


def test_ges_1_po_told_once_when_the_startontwikkelgesprek_is_never_recorded(
    hardenberg: Any,
    smtp: Any,
) -> None:
    """Three months after the programme's end without a held startontwikkelgesprek, P&O hears
    once that the cycle could not start."""
    rt = hardenberg
    plan_cycle_only(rt, date(2027, 1, 15), slug=HB)
    _intro_step(rt)
    for day in (
        date(2027, 8, 2),
        date(2027, 9, 1),
        date(2027, 10, 1),
        date(2027, 11, 2),
        date(2027, 11, 3),
        date(2027, 12, 1),
    ):
        run_day(rt, day, municipality=HB)
    told = mails(smtp, "Nog niet vastgelegd: Startontwikkelgesprek", "po@")
    about = sorted(h for m in told for h in ("NH-2027-001", "NH-2027-002") if h in text_of(m))
    assert about == ["NH-2027-001", "NH-2027-002"]  # once each; the 12-month temp waits too
    with rt.factory() as session:
        assert find_cycle(session, "hire", LOTTE) is None
        assert (
            session.scalar(select(AuditEntry).where(AuditEntry.action == "ges.cycle.not_started"))
            is not None
        )


def test_ges_3_unrecorded_form_is_reminded_then_escalated_to_po(
    sqlite_runtime: Any, smtp: Any
) -> None:
    """After the beoordelingsgesprek the leidinggevende is reminded with a fresh link, and P&O
    is told once when the form is still not recorded ten working days later."""
    rt = sqlite_runtime
    add_kb_staff(rt, hire_start=None)
    with rt.factory() as session, session.begin():
        start_cycle(
            context(rt, session, date(2027, 5, 3)),
            case_type="person",
            case_id="KB-9005",
            on=date(2027, 6, 7),
            manager_id="KB-9003",
            joined_on=date(2015, 9, 1),
        )
    for day in (date(2028, 4, 10), date(2028, 4, 24), date(2028, 4, 25)):
        run_day(rt, day, municipality=KB)
    reminder = mails(smtp, "Herinnering: Beoordelingsformulier voor Ruud van Leeuwen")
    assert len(reminder) == 1
    assert "/a/" in text_of(reminder[0])
    escalation = mails(
        smtp, "Nog niet vastgelegd: Beoordelingsgesprek (ronde 1)", "po@kaag-en-braassem"
    )
    assert len(escalation) == 1
