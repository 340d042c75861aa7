"""Tests of the hire's own line: enrolment, e-learning, TMA, closing talk, role items (INT-1..6)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import EnrolmentRefused, ImportRejected
from poflow.db.models import AuditEntry, Hire, Person, Step
from poflow.hires.services import move_hire
from poflow.introduction.completions import import_completions
from poflow.introduction.models import Certificate, Enrolment
from poflow.introduction.planner import enrol
from poflow.introduction.states import EnrolmentState
from poflow.introduction.steps import add_role_item
from poflow.runtime import run_day
from poflow.states import StepState
from tests.introduction.support import (
    COACH,
    MANAGER_EMAIL,
    Spec,
    add_hires,
    body,
    ctx_for,
    finish_lines,
    follow_link,
    invitation,
    messages,
    received,
    run_capture,
    staff,
    tokens,
)

pytestmark = pytest.mark.usefixtures("int_only")

A, S, X = "NH-P-A", "NH-P-S", "NH-P-X"  # vast, inhuur (secondary), bestuurder (excluded)
A_WORK = "nhpa@hardenberg.example.nl"
S_WORK = "nhps@hardenberg.example.nl"


def _setup(rt: Any) -> None:
    staff(rt)
    add_hires(
        rt,
        [
            Spec(A, "vast", None, date(2027, 2, 1)),
            Spec(S, "inhuur", 9, date(2027, 2, 1)),
            Spec(X, "bestuurder", 48, date(2027, 2, 1)),
        ],
    )


def test_int_1_primary_is_enrolled_secondary_offered_and_excluded_left_out(
    sqlite_runtime: Any, smtp: Any
):
    """INT-1/INT-6: vast is enrolled in full; the leidinggevende of the inhuur hire is offered
    the light variant and enrols by link; the bestuurder gets nothing at all."""
    rt = sqlite_runtime
    _setup(rt)
    per_day = run_capture(rt, smtp, date(2027, 1, 25), date(2027, 1, 25), series=())
    with rt.factory() as session:
        enrolled = {
            e.hire_id: (e.group.value, e.variant, e.mandatory)
            for e in session.scalars(select(Enrolment))
        }
        excluded = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "intro.excluded", AuditEntry.entity_id == X
            )
        )
    assert enrolled == {A: ("primair", "volledig", True)}
    assert excluded is not None
    offer = messages(
        per_day,
        to="femke.bos@hardenberg.example.nl",
        subject="Introductieprogramma voor Test Nieuw NH-P-S",
    )
    assert len(offer) == 1  # to the hire's own leidinggevende
    assert "is aangemeld" in follow_link(rt, tokens(offer[0])[0], date(2027, 1, 26))
    per_day = run_capture(rt, smtp, date(2027, 1, 26), date(2027, 2, 1), series=())
    welcome = messages(per_day, to=S_WORK, subject="Welkom! Jouw introductieprogramma")
    assert len(welcome) == 1
    assert "korte variant" in body(welcome[0])
    assert "Startbijeenkomst" in body(welcome[0])
    assert "Evaluatiebijeenkomst" not in body(welcome[0])
    assert not [m for msgs in per_day.values() for m in msgs if "nhpx" in str(m["To"])]


def test_int_1_enrolment_needs_p_and_o_or_the_leidinggevende_and_never_an_excluded_group(
    sqlite_runtime: Any,
):
    """INT-1: an ICT colleague cannot enrol; P&O can; a bestuurder is refused for anyone."""
    rt = sqlite_runtime
    _setup(rt)
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 1, 25))
        with pytest.raises(EnrolmentRefused, match="person HB-0009 is neither"):
            enrol(ctx, S, by="HB-0009")
        with pytest.raises(EnrolmentRefused, match="'bestuurder' is excluded"):
            enrol(ctx, X, by="HB-0002")
        assert enrol(ctx, S, by="HB-0002").variant == "light"


def test_int_1_a_municipality_with_the_programme_switched_off_enrols_nobody(sqlite_runtime: Any):
    """X-5/INT-1: Kaag en Braassem ships the programme off: its hires are not enrolled."""
    rt = sqlite_runtime
    with rt.factory() as session, session.begin():
        session.add(
            Person(
                id="KB-T01",
                municipality="kaag-en-braassem",
                given_name="Test",
                family_name="Leider",
                email="leider@kaag.example.nl",
                team="T",
            )
        )
        session.flush()
        session.add(
            Hire(
                id="NH-KB-1",
                municipality="kaag-en-braassem",
                given_name="Test",
                family_name="Kaag",
                private_email="kb1@example.org",
                work_email="kb1@kaag.example.nl",
                team="T",
                function="F",
                manager_id="KB-T01",
                contract_type="vast",
                contract_months=None,
                start_date=date(2027, 2, 1),
                first_working_day=date(2027, 2, 1),
            )
        )
    run_day(rt, date(2027, 1, 25), send=False)
    with rt.factory() as session, session.begin():
        assert session.scalar(select(Enrolment)) is None
        ctx = rt.context(session, "kaag-en-braassem", date(2027, 1, 25))
        with pytest.raises(EnrolmentRefused, match="switched off"):
            enrol(ctx, "NH-KB-1", by="KB-T01")


def test_int_4_elearning_is_due_at_six_months_reminded_and_certified_on_completion(
    sqlite_runtime: Any, smtp: Any
):
    """INT-4: the welcome mail carries a link per e-learning; the completed one is certified,
    only the other is reminded 20 and 5 working days before 2 Aug 2027."""
    rt = sqlite_runtime
    _setup(rt)
    per_day = run_capture(rt, smtp, date(2027, 1, 25), date(2027, 2, 1), series=())
    welcome = messages(per_day, to=A_WORK, subject="Welkom! Jouw introductieprogramma")
    assert received(per_day, to=A_WORK, subject="Welkom!") == [date(2027, 2, 1)]
    assert "maandag 2 augustus 2027" in body(welcome[0])
    first, second = tokens(welcome[0])
    assert "werken bij de gemeente" in follow_link(rt, first, date(2027, 2, 2))
    per_day = run_capture(rt, smtp, date(2027, 2, 2), date(2027, 2, 2), series=())
    assert received(per_day, to=A_WORK, subject="Bewijs van deelname: E-learning: werken bij") == [
        date(2027, 2, 2)
    ]
    per_day = run_capture(rt, smtp, date(2027, 6, 28), date(2027, 8, 3), series=())
    assert received(
        per_day, to=A_WORK, subject="Herinnering: E-learning: informatieveiligheid"
    ) == [date(2027, 7, 5), date(2027, 7, 26)]
    assert received(per_day, to=A_WORK, subject="Herinnering: E-learning: werken bij") == []
    assert "staat als afgerond" in follow_link(rt, second, date(2027, 8, 3))


def test_int_4_csv_completions_are_all_or_nothing_and_certify_once(
    sqlite_runtime: Any, tmp_path: Any
):
    """INT-4: a bad row rejects the file; a good file completes and certifies; a re-import
    changes nothing."""
    rt = sqlite_runtime
    _setup(rt)
    run_day(rt, date(2027, 1, 25), send=False)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "hire_id,module,completed_on\nNH-P-A,werken_bij,2027-03-01\n"
        "NH-P-A,koken,2027-03-01\nNH-P-Q,infoveiligheid,2027-03-40\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(
        "hire_id;module;completed_on\nNH-P-A;werken_bij;2027-03-01\n"
        "NH-P-A;infoveiligheid;2027-03-08\n",
        encoding="utf-8",
    )
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 3, 10))
        with pytest.raises(ImportRejected) as err:
            import_completions(ctx, bad)
        assert "row 3, column 'module'" in str(err.value)
        assert "row 4, column 'hire_id'" in str(err.value)
    with rt.factory() as session, session.begin():
        assert session.scalar(select(Certificate)) is None
        ctx = ctx_for(rt, session, date(2027, 3, 10))
        assert import_completions(ctx, good).completed == 2
        assert import_completions(ctx, good).unchanged == 2
    with rt.factory() as session:
        certs = {c.item: (c.completed_on, c.source) for c in session.scalars(select(Certificate))}
    assert certs == {
        "werken_bij": (date(2027, 3, 1), "csv"),
        "infoveiligheid": (date(2027, 3, 8), "csv"),
    }


def test_int_5_tma_with_the_coach_and_the_closing_talk_complete_the_programme(
    sqlite_runtime: Any, smtp: Any
):
    """INT-5: TMA debrief on 1 Jun 2027 with the loopbaancoach; the startontwikkelgesprek on
    2 Aug 2027 with the leidinggevende, whose link closes the programme and audits
    intro.completed for GES."""
    rt = sqlite_runtime
    _setup(rt)
    per_day: dict = {}
    for first, last in (
        (date(2027, 1, 25), date(2027, 1, 25)),
        (date(2027, 4, 26), date(2027, 6, 1)),
        (date(2027, 7, 1), date(2027, 8, 2)),
    ):
        per_day.update(run_capture(rt, smtp, first, last, series=()))
    tma = messages(per_day, to=COACH, subject="Uitnodiging TalentenMotivatieAnalyse")
    assert len(tma) == 1
    assert invitation(tma[0])[1] == date(2027, 6, 1)
    talk = messages(per_day, to=MANAGER_EMAIL, subject="Uitnodiging Startontwikkelgesprek")
    assert len(talk) == 1
    assert invitation(talk[0])[1] == date(2027, 8, 2)
    assert received(per_day, to=A_WORK, subject="Herinnering: Startontwikkelgesprek") == [
        date(2027, 7, 29)
    ]
    finish_lines(rt, A, date(2027, 8, 2))
    assert "heeft plaatsgevonden" in follow_link(rt, tokens(talk[0])[0], date(2027, 8, 2))
    with rt.factory() as session:
        step = session.scalar(select(Step).where(Step.key == "int:startontwikkelgesprek"))
        assert (step.case_type, step.case_id, step.process, step.state) == (
            "hire",
            A,
            "int",
            StepState.DONE,
        )
        assert (
            session.scalar(select(Enrolment.state).where(Enrolment.hire_id == A))
            == EnrolmentState.COMPLETED
        )
        done = session.scalar(select(AuditEntry).where(AuditEntry.action == "intro.completed"))
        assert (done.entity_type, done.entity_id, done.actor) == ("hire", A, "HB-0004")


def test_int_5_a_role_specific_item_is_mailed_and_completed_by_link(sqlite_runtime: Any, smtp: Any):
    """INT-5: an item agreed in the terms talk becomes a step with a mail and a done link."""
    rt = sqlite_runtime
    _setup(rt)
    run_capture(rt, smtp, date(2027, 1, 25), date(2027, 1, 25), series=())
    with rt.factory() as session, session.begin():
        ctx = ctx_for(rt, session, date(2027, 2, 2), "HB-0002")
        step = add_role_item(
            ctx, A, title="Cursus omgevingswet", due=date(2027, 5, 3), by="HB-0002"
        )
        assert step.key == "int:rol:1"
    per_day = run_capture(rt, smtp, date(2027, 2, 2), date(2027, 2, 2), series=())
    mail = messages(per_day, to=A_WORK, subject="Toegevoegd aan je introductieprogramma")
    assert len(mail) == 1
    assert "Cursus omgevingswet" in body(mail[0])
    assert "staat als afgerond" in follow_link(rt, tokens(mail[0])[0], date(2027, 3, 1))


def test_onb_5_moving_the_start_date_moves_deadlines_and_talks(sqlite_runtime: Any):
    """ONB-5/INT-2: a start moved to 1 Mar 2027 moves the e-learning deadline and closing talk
    to 1 Sep 2027 and raises the talk's calendar sequence."""
    rt = sqlite_runtime
    _setup(rt)
    run_day(rt, date(2027, 1, 20), send=False)
    with rt.factory() as session, session.begin():
        move_hire(session, rt.config("hardenberg"), A, date(2027, 3, 1), actor="HB-0002")
    run_day(rt, date(2027, 1, 21), send=False)
    with rt.factory() as session:
        steps = {
            s.key: (s.due_date, s.sequence)
            for s in session.scalars(select(Step).where(Step.case_id == A, Step.process == "int"))
        }
    assert steps["int:elearning:werken_bij"][0] == date(2027, 9, 1)
    assert steps["int:startontwikkelgesprek"] == (date(2027, 9, 1), 1)
