"""Starting a cycle on a chosen date for existing staff (GES-1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from poflow._exceptions import IllegalTransition
from poflow.conversations.cycle import start_cycle
from poflow.runtime import run_day
from tests.conversations.support import KB, add_kb_staff, context, mails, steps_of


@pytest.fixture
def runtime(sqlite_runtime: Any) -> Any:
    """SQLite only here: the database is not these tests' subject (see test_appraisals)."""
    return sqlite_runtime


def test_ges_1_existing_staff_start_on_a_chosen_date(runtime: Any, smtp: Any) -> None:
    """Staff at the top of their scale start on a chosen date, ten months between the talks."""
    add_kb_staff(runtime, hire_start=None)
    with runtime.factory() as session, session.begin():
        ctx = context(runtime, session, date(2027, 5, 3), actor="KB-9002")
        cycle = start_cycle(
            ctx,
            case_type="person",
            case_id="KB-9005",
            on=date(2027, 6, 5),
            manager_id="KB-9003",
            joined_on=date(2009, 1, 1),
            at_scale_max=True,
        )
        assert cycle.first_richtgesprek == date(2027, 6, 7)  # 5 June 2027 is a Saturday
        with pytest.raises(IllegalTransition, match="already has one"):
            start_cycle(
                ctx,
                case_type="person",
                case_id="KB-9005",
                on=date(2027, 7, 1),
                manager_id="KB-9003",
                joined_on=date(2009, 1, 1),
            )
        with pytest.raises(IllegalTransition, match="not a leidinggevende"):
            start_cycle(
                ctx,
                case_type="person",
                case_id="KB-9004",
                on=date(2027, 7, 1),
                manager_id="KB-9005",
                joined_on=date(2009, 1, 1),
            )
    steps = steps_of(runtime, "KB-9005")
    assert steps["ges:1:beoordelingsgesprek"].due_date == date(2028, 4, 7)
    run_day(runtime, date(2027, 5, 10), municipality=KB)
    assert len(mails(smtp, "Uitnodiging richtgesprek", "ruud.kb-9005")) == 1
    assert not mails(smtp, "Je POP-formulier")
    run_day(runtime, date(2027, 5, 21), municipality=KB)  # POP due Fri 4 June (GES-2)
    assert len(mails(smtp, "Je POP-formulier", "ruud.kb-9005")) == 1
