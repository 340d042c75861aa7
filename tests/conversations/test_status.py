"""What P&O sees of the conversation cycle: a case's talks in date order and every cycle's next
open step (GES-1, GES-2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow.conversations.case import find_case
from poflow.conversations.cycle import start_cycle
from poflow.conversations.status import (
    appraisals,
    cycle_steps,
    cycles,
    legal_decisions,
    next_open_step,
)
from tests.conversations.support import KB, add_kb_staff, context


def test_ges_1_po_sees_the_talks_in_date_order_and_the_pop_form_as_next_step(
    sqlite_runtime: Any,
) -> None:
    """A cycle started on 7 June 2027 shows the POP form (GES-2), the richtgesprek and the
    beoordelingsgesprek in date order; the POP form, due first, is its next open step."""
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
    with rt.factory() as session:
        case = find_case(session, "KB-9005")
        steps = cycle_steps(session, case)
        assert [s.key for s in steps] == [
            "ges:1:pop",
            "ges:1:richtgesprek",
            "ges:1:beoordelingsgesprek",
        ]
        assert [s.due_date for s in steps] == [
            date(2027, 6, 4),  # two calendar days before is Saturday 5 June (GES-2)
            date(2027, 6, 7),
            date(2028, 4, 7),
        ]
        assert appraisals(session, case) == []
        assert legal_decisions(session, case) == []
        (cycle,) = cycles(session, KB)
        assert cycles(session, "hardenberg") == []
        nxt = next_open_step(session, cycle)
        assert nxt is not None
        assert nxt.key == "ges:1:pop"
