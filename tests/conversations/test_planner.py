"""Planning the cycle (GES-1) and the POP form round (GES-2), simulated day by day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from poflow.conversations.case import find_cycle
from poflow.conversations.models import CycleBasis
from poflow.conversations.planner import plan_hire_cycle
from poflow.db.models import Hire
from poflow.hires.services import cancel_hire, move_hire
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conversations.support import (
    HIRE,
    KB,
    add_kb_staff,
    context,
    mails,
    plan_cycle_only,
    steps_of,
    text_of,
    use_link,
)
from tests.support import ics_text

EMPLOYEE = "yara.jacobs@kaag-en-braassem.example.nl"
MANAGER = "sanne.kb-9003@kaag-en-braassem.example.nl"


@pytest.fixture
def runtime(sqlite_runtime: Any) -> Any:
    """SQLite only here: the database is not these tests' subject (see test_appraisals)."""
    return sqlite_runtime


def test_ges_1_hire_is_planned_from_probation_with_the_seed_rhythm(runtime: Any, smtp: Any) -> None:
    """A hire starting 1 March 2027 gets the richtgesprek in April 2027 and the appraisal ten
    months later, planned the day the hire is planned."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    steps = steps_of(runtime, HIRE)
    assert steps["ges:1:richtgesprek"].due_date == date(2027, 4, 14)
    assert steps["ges:1:pop"].due_date == date(2027, 4, 12)
    assert steps["ges:1:beoordelingsgesprek"].due_date == date(2028, 2, 14)
    with runtime.factory() as session:
        cycle = find_cycle(session, "hire", HIRE)
        assert cycle is not None
        assert cycle.basis is CycleBasis.PROEFTIJD
        assert cycle.joined_on == date(2027, 3, 1)
    with runtime.factory() as session, session.begin():
        plan_hire_cycle(context(runtime, session, date(2027, 2, 16)), session.get(Hire, HIRE))
    run_day(runtime, date(2027, 2, 16), municipality=KB)
    assert len(steps_of(runtime, HIRE)) == 3  # planning twice changes nothing
    assert not mails(smtp, "richtgesprek")  # nothing is due yet


def test_ges_2_pop_request_reminder_and_manager_told_when_it_is_in(runtime: Any, smtp: Any) -> None:
    """The employee is asked for the POP form with its deadline two working days before the
    richtgesprek, reminded, and the manager hears when it is in; both get the invitation."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    run_day(runtime, date(2027, 3, 26), municipality=KB)
    invites = mails(smtp, "Uitnodiging richtgesprek")
    assert sorted(str(m["To"]).split("<")[1].rstrip(">") for m in invites) == sorted(
        [EMPLOYEE, MANAGER]
    )
    assert all(
        "DTSTART;TZID=Europe/Amsterdam:20270414T140000" in (ics_text(m) or "") for m in invites
    )
    request = mails(smtp, "Je POP-formulier voor het richtgesprek", EMPLOYEE)
    assert len(request) == 1
    assert "uiterlijk maandag 12 april 2027" in str(request[0]["Subject"])
    assert "pagina 1 tot en met 5" in text_of(request[0])

    run_day(runtime, date(2027, 4, 8), municipality=KB)
    reminder = mails(smtp, "Herinnering: Je POP-formulier", EMPLOYEE)
    assert len(reminder) == 1
    assert "binnen is" in use_link(runtime, reminder[0], date(2027, 4, 8))
    assert not mails(smtp, "is binnen")
    run_day(runtime, date(2027, 4, 9), municipality=KB)
    told = mails(smtp, "POP-formulier van Yara Jacobs is binnen", MANAGER)
    assert len(told) == 1
    assert steps_of(runtime, HIRE)["ges:1:pop"].state == StepState.DONE
    # The first link (from the request) still works once but changes nothing more.
    assert "al doorgegeven" in use_link(runtime, request[0], date(2027, 4, 9))
    run_day(runtime, date(2027, 4, 9), municipality=KB)
    assert len(mails(smtp, "is binnen")) == 1


def test_ges_2_no_pop_reminder_once_it_is_in(runtime: Any, smtp: Any) -> None:
    """A POP form handed in before the reminder date gets no reminder."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    run_day(runtime, date(2027, 3, 26), municipality=KB)
    use_link(runtime, mails(smtp, "Je POP-formulier", EMPLOYEE)[0], date(2027, 3, 29))
    run_day(runtime, date(2027, 4, 13), municipality=KB)
    assert not mails(smtp, "Herinnering: Je POP-formulier")
    assert len(mails(smtp, "Herinnering: richtgesprek")) == 2


def test_ges_1_richtgesprek_confirmed_by_the_manager(runtime: Any, smtp: Any) -> None:
    """After the richtgesprek the manager confirms it by link; no escalation to P&O follows."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    run_day(runtime, date(2027, 4, 15), municipality=KB)
    ask = mails(smtp, "Heeft het richtgesprek met Yara Jacobs", MANAGER)
    assert len(ask) == 1
    assert "vastgelegd" in use_link(runtime, ask[0], date(2027, 4, 15))
    run_day(runtime, date(2027, 5, 3), municipality=KB)
    assert not mails(smtp, "Nog niet vastgelegd: Richtgesprek")
    assert steps_of(runtime, HIRE)["ges:1:richtgesprek"].state == StepState.DONE


def test_ges_1_unconfirmed_richtgesprek_escalates_to_po_once(runtime: Any, smtp: Any) -> None:
    """A richtgesprek nobody confirms reaches the P&O mailbox once."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    run_day(runtime, date(2027, 4, 28), municipality=KB)
    run_day(runtime, date(2027, 4, 29), municipality=KB)
    escalations = mails(smtp, "Nog niet vastgelegd: Richtgesprek", "po@kaag-en-braassem")
    assert len(escalations) == 1
    assert "poflow cycle" not in text_of(escalations[0])  # no terminal command in a mail


def test_ges_1_moved_start_date_moves_the_cycle(runtime: Any, smtp: Any) -> None:
    """Moving the start date re-plans the richtgesprek after the new probation (ONB-5)."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    with runtime.factory() as session, session.begin():
        move_hire(session, runtime.config(KB), HIRE, date(2027, 4, 1), actor="test")
    plan_cycle_only(runtime, date(2027, 2, 16))
    steps = steps_of(runtime, HIRE)
    assert steps["ges:1:richtgesprek"].due_date == date(2027, 5, 19)
    assert steps["ges:1:richtgesprek"].sequence == 1
    assert steps["ges:1:beoordelingsgesprek"].due_date == date(2028, 3, 20)


def test_ges_1_cancelled_hire_gets_no_cycle_mail(runtime: Any, smtp: Any) -> None:
    """Nothing of the cycle is sent for a cancelled hire (ONB-5)."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    with runtime.factory() as session, session.begin():
        cancel_hire(session, HIRE, actor="test", today=date(2027, 2, 16))
    run_day(runtime, date(2027, 4, 20), municipality=KB)
    assert not [
        m
        for m in smtp.messages
        if "richtgesprek" in str(m["Subject"]).lower() or "POP" in str(m["Subject"])
    ]


def test_ges_1_short_temporary_contract_gets_no_automatic_cycle(runtime: Any, smtp: Any) -> None:
    """A temporary contract of six months gets no automatic cycle."""
    add_kb_staff(runtime, contract="tijdelijk", months=6)
    plan_cycle_only(runtime, date(2027, 2, 15))
    assert steps_of(runtime, HIRE) == {}


def test_ges_1_a_late_start_move_keeps_a_cycle_from_the_introduction(
    runtime: Any, smtp: Any
) -> None:
    """A start move cancels the hire's pending actions (ONB-5); the next planning brings back the
    actions of a cycle that does not depend on the start date, so its talks are still invited."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    with runtime.factory() as session, session.begin():
        cycle = find_cycle(session, "hire", HIRE)
        assert cycle is not None
        cycle.basis = CycleBasis.GEKOZEN  # as if P&O had chosen the date
        move_hire(session, runtime.config(KB), HIRE, date(2027, 3, 8), actor="test")
    plan_cycle_only(runtime, date(2027, 3, 1))
    assert steps_of(runtime, HIRE)["ges:1:richtgesprek"].due_date == date(2027, 4, 14)
    run_day(runtime, date(2027, 3, 26), municipality=KB)
    assert len(mails(smtp, "Uitnodiging richtgesprek")) == 2
    assert len(mails(smtp, "Je POP-formulier", EMPLOYEE)) == 1
