"""Tests of the planner: a hire's checklist as steps, moved with the start date (ONB-2, ONB-5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from poflow.db.models import Action, AuditEntry, Step
from poflow.onboarding.rules import Level
from poflow.states import ActionState, StepState
from tests.onboarding.support import (
    KB,
    ONB_TEMPLATES,
    add_kb_hire,
    add_kb_staff,
    ctx_for,
    digest_items,
    run,
)


def test_onb_2_checklist_becomes_steps_with_phase_owner_and_due_date(runtime):
    """Planning a hire turns every applicable item into a step with an owner and a due date."""
    add_kb_staff(runtime)
    add_kb_hire(runtime)
    from poflow.runtime import run_day

    run_day(runtime, date(2027, 2, 1), municipality=KB, send=False)
    with runtime.factory() as session:
        steps = {
            s.key: s
            for s in session.scalars(
                select(Step).where(Step.case_id == "KB-NH-01", Step.process == "onb")
            )
        }
        assert len(steps) == 55  # a permanent contract gets every item of Bijlage 2
        flowers = steps["onb:bloemen-dopper"]
        assert (flowers.due_date, flowers.owner_role) == (date(2027, 2, 26), "facilitair")
        assert flowers.data == {
            "phase": "voor_eerste_werkdag",
            "pillar": "operationeel",
            "item": "bloemen-dopper",
        }
        assert steps["onb:evaluatiegesprek"].due_date == date(2027, 9, 1)
        assert steps["onb:een-op-een-gesprekken"].owner_id == "KB-0001"
        # poflow did these itself: the buddy is assigned and the check-ins are planned (CHK-1)
        assert steps["onb:buddy-toewijzen"].state == StepState.DONE
        assert steps["onb:bijpraatmomenten-plannen"].state == StepState.DONE
        planned = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "step.planned",
                AuditEntry.detail["hire"].as_string() == "KB-NH-01",
            )
        ).all()
        assert len(planned) >= 55


def test_onb_2_hired_staff_get_only_the_items_of_their_contract_type(sqlite_runtime):
    """An inhuur hire of nine months gets no payroll registration and no conversation cycle."""
    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime, contract="inhuur", months=9)
    from poflow.runtime import run_day

    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB, send=False)
    with sqlite_runtime.factory() as session:
        keys = set(
            session.scalars(
                select(Step.key).where(Step.case_id == "KB-NH-01", Step.process == "onb")
            )
        )
    assert "onb:personeels-salarisadministratie" not in keys
    assert "onb:gesprekscyclus-plannen" not in keys
    assert "onb:controle-id" in keys


def test_onb_5_a_moved_start_date_moves_every_open_item_notice_and_welcome(sqlite_runtime, smtp):
    """After a move open items get the new dates; nothing goes out on the old dates."""
    from poflow.hires.services import move_hire

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run(sqlite_runtime, smtp, date(2027, 2, 1), date(2027, 2, 3), municipality=KB)
    with sqlite_runtime.factory() as session, session.begin():
        done = ctx_for(sqlite_runtime, session, KB, date(2027, 2, 3))
        from poflow.onboarding.steps import complete_item

        complete_item(done, "KB-NH-01", "controle-id", by="KB-0006")
        move_hire(session, sqlite_runtime.config(KB), "KB-NH-01", date(2027, 4, 1), actor="cli")
    mails = run(sqlite_runtime, smtp, date(2027, 2, 4), date(2027, 4, 1), municipality=KB)
    with sqlite_runtime.factory() as session:
        steps = {
            s.key: s
            for s in session.scalars(
                select(Step).where(Step.case_id == "KB-NH-01", Step.process == "onb")
            )
        }
        assert steps["onb:bloemen-dopper"].due_date == date(2027, 3, 31)
        assert steps["onb:evaluatiegesprek"].due_date == date(2027, 10, 1)
        assert steps["onb:controle-id"].state == StepState.DONE  # done stays done
        checkin = session.scalar(
            select(Step).where(Step.case_id == "KB-NH-01", Step.key == "checkin:1")
        )
        assert checkin.due_date == date(2027, 5, 3)  # the check-ins move along (CHK-1)
        stale = session.scalars(
            select(Action).where(Action.case_id == "KB-NH-01", Action.key.like("%:2027-02-26"))
        ).all()
        assert stale
        assert all(a.state == ActionState.CANCELLED for a in stale)
    welcome = [(d, t) for d, t, _, _ in mails if t.startswith("onboarding/welkom")]
    # Five working days before Thursday 1 April 2027, skipping Easter Monday 29 March.
    assert welcome == [
        (date(2027, 3, 24), "onboarding/welkom_prive"),
        (date(2027, 4, 1), "onboarding/welkom_werk"),
    ]
    flowers = [
        (d, lvl)
        for d, t, to, m in mails
        if t == "onboarding/digest"
        for lvl, _, item in digest_items(m)
        if item == "bloemen-dopper"
    ]
    assert flowers == [(date(2027, 3, 23), Level.ANNOUNCE)]  # 5 working days before 31 March
    buddy = [d for d, t, _, _ in mails if t == "onboarding/buddy_toegewezen"]
    assert buddy == [date(2027, 3, 17)]


def test_onb_5_a_move_after_the_invitation_sends_an_updated_vier_successen_invitation(
    sqlite_runtime, smtp
):
    """The sent invitation is updated at once: same calendar uid, a higher SEQUENCE, the new
    date, with the first day's run after the move (issue 22: not on its new send date)."""
    from poflow.hires.services import move_hire
    from poflow.runtime import run_day

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB)
    run_day(sqlite_runtime, date(2027, 8, 18), municipality=KB)
    with sqlite_runtime.factory() as session, session.begin():
        move_hire(session, sqlite_runtime.config(KB), "KB-NH-01", date(2027, 3, 15), actor="cli")
    mails = run(sqlite_runtime, smtp, date(2027, 8, 19), date(2027, 9, 16), municipality=KB)
    updates = [(d, to, m) for d, t, to, m in mails if t == "onboarding/vier_successen"]
    assert sorted(to for _, to, _ in updates) == [
        "kb-nh-01@kaag.example.nl",
        "sanne.vos@kaag.example.nl",
        "wim.hoekstra@kaag.example.nl",
    ]
    day, _, msg = updates[0]
    assert day == date(2027, 8, 19)  # the first run after the move, not 10 working days before
    assert str(msg["Subject"]).startswith("Gewijzigd: ")
    ics = next(p for p in msg.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "SEQUENCE:1" in ics
    assert "20270915T150000" in ics.replace("\r\n ", "")
    closings = [d for d, t, _, _ in mails if t == "onboarding/buddy_afgesloten"]
    assert closings == [date(2027, 9, 15)]  # not on the old date, 1 September


def test_onb_5_a_cancelled_hire_gets_nothing_more_and_sent_invitations_are_withdrawn(
    sqlite_runtime, smtp
):
    """Cancelling after the vier-successen invitation sends a CANCEL, then silence for that hire."""
    from poflow.hires.services import cancel_hire
    from poflow.runtime import run_day

    add_kb_staff(sqlite_runtime)
    add_kb_hire(sqlite_runtime)
    run_day(sqlite_runtime, date(2027, 2, 1), municipality=KB)
    run_day(sqlite_runtime, date(2027, 8, 18), municipality=KB)
    with sqlite_runtime.factory() as session, session.begin():
        cancel_hire(session, "KB-NH-01", actor="cli", today=date(2027, 8, 19))
    mails = run(sqlite_runtime, smtp, date(2027, 8, 19), date(2027, 10, 1), municipality=KB)
    cancels = [
        to
        for d, _, to, m in mails
        if d == date(2027, 8, 19)
        and any(
            "METHOD:CANCEL" in p.get_content() and "vier successen" in p.get_content().lower()
            for p in m.walk()
            if p.get_content_type() == "text/calendar"
        )
    ]
    assert sorted(cancels) == [
        "kb-nh-01@kaag.example.nl",
        "sanne.vos@kaag.example.nl",
        "wim.hoekstra@kaag.example.nl",
    ]
    others = [(d, t) for d, t, _, m in mails if t in ONB_TEMPLATES]
    assert others == []
