"""Extra appraisals for legal-status decisions (GES-5), and what a promotion does to the raise."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import AppraisalRequired, IllegalTransition, NotFound
from poflow.conversations.appraisals import parse_form, record_appraisal
from poflow.conversations.case import find_case, find_cycle
from poflow.conversations.cycle import start_cycle
from poflow.conversations.decisions import plan_extra_appraisal, record_legal_decision
from poflow.conversations.models import Appraisal, LegalDecision
from poflow.conversations.rules import LegalKind
from poflow.conversations.states import LegalState
from poflow.db.models import AuditEntry, Step
from poflow.hires.services import move_hire
from poflow.runtime import run_day
from tests.conversations.support import (
    HIRE,
    KB,
    add_kb_staff,
    context,
    mails,
    plan_cycle_only,
    scores_form,
    text_of,
    use_link,
)

PO = "po@kaag-en-braassem.example.nl"
MANAGER = "sanne.kb-9003@kaag-en-braassem.example.nl"
EMPLOYEE = "ruud.kb-9005@kaag-en-braassem.example.nl"


def _decision(rt: Any, kind: LegalKind, on: date, *, manager: str | None = "KB-9003") -> int:
    with rt.factory() as session, session.begin():
        ctx = context(rt, session, date(2027, 10, 1), actor="KB-9002")
        decision = plan_extra_appraisal(
            ctx,
            find_case(session, "KB-9005"),
            kind=kind,
            on=on,
            requested_by="KB-9002",
            manager_id=manager,
        )
        return decision.id


def _decide(rt: Any, decision_id: int, day: date) -> LegalDecision:
    with rt.factory() as session, session.begin():
        ctx = context(rt, session, day, actor="KB-9002")
        return record_legal_decision(ctx, decision_id, by="KB-9002")


def test_ges_5_extra_appraisal_blocks_the_decision_until_it_is_recorded(
    sqlite_runtime: Any,
    smtp: Any,
) -> None:
    """A permanent contract needs an appraisal: the extra talk is planned and invited, the
    decision is refused by name until the leidinggevende records the form, then it can be taken."""
    rt = sqlite_runtime
    add_kb_staff(rt, hire_start=None)
    with pytest.raises(NotFound, match="no leidinggevende is known"):
        _decision(rt, LegalKind.VAST, date(2027, 11, 1), manager=None)
    did = _decision(rt, LegalKind.VAST, date(2027, 10, 30))  # a Saturday: moves to Monday
    with pytest.raises(AppraisalRequired, match="requires an appraisal"):
        _decide(rt, did, date(2027, 10, 5))

    run_day(rt, date(2027, 10, 25), municipality=KB)
    invites = mails(smtp, "Uitnodiging extra beoordelingsgesprek – Ruud van Leeuwen")
    assert len(invites) == 2
    assert "omzetting naar een vast dienstverband" in text_of(invites[0])
    form = mails(smtp, "Beoordelingsformulier voor Ruud van Leeuwen", MANAGER)
    assert len(form) == 1
    assert "maandag 1 november 2027" in str(form[0]["Subject"])
    use_link(rt, form[0], date(2027, 10, 27), scores_form())

    run_day(rt, date(2027, 11, 1), municipality=KB)
    ready = mails(smtp, "Extra beoordeling vastgelegd – Ruud van Leeuwen", PO)
    assert len(ready) == 1
    assert f"besluitnummer {did}" in text_of(ready[0])
    assert "poflow appraisal" not in text_of(ready[0])  # no terminal command in a mail
    assert len(mails(smtp, "Je beoordelingsformulier", EMPLOYEE)) == 1
    assert len(mails(smtp, "Voor het personeelsdossier", PO)) == 1

    decided = _decide(rt, did, date(2027, 11, 2))
    assert decided.state is LegalState.DECIDED
    with pytest.raises(IllegalTransition):
        _decide(rt, did, date(2027, 11, 3))
    with rt.factory() as session:
        appraisal = session.scalar(select(Appraisal).where(Appraisal.legal_decision_id == did))
        assert appraisal is not None
        assert appraisal.round is None
        assert appraisal.raise_granted is None  # an extra appraisal decides no periodic raise
        assert (
            session.scalar(select(AuditEntry).where(AuditEntry.action == "ges.legal.requested"))
            is not None
        )


def test_ges_5_promotion_restarts_the_twelve_months_of_the_raise(
    sqlite_runtime: Any, smtp: Any
) -> None:
    """After a promotion decided in November, the raise of the next September is too soon
    (GES-4, CAO art. 3.4 condition 3), even with good scores."""
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
            last_raise_on=date(2026, 9, 1),
        )
    did = _decision(rt, LegalKind.PROMOTIE, date(2027, 11, 1), manager=None)
    with rt.factory() as session, session.begin():
        step = session.scalar(select(Step).where(Step.key == f"ges:x{did}:beoordelingsgesprek"))
        record_appraisal(
            context(rt, session, date(2027, 10, 28), actor="KB-9003"),
            step,
            parse_form(scores_form("zeer_goed", "goed", "goed")),
            by="KB-9003",
        )
    _decide(rt, did, date(2027, 11, 5))
    with rt.factory() as session, session.begin():
        cycle = find_cycle(session, "person", "KB-9005")
        assert cycle is not None
        assert cycle.last_promotion_on == date(2027, 11, 5)
        regular = session.scalar(
            select(Step).where(Step.case_id == "KB-9005", Step.key == "ges:1:beoordelingsgesprek")
        )
        row = record_appraisal(
            context(rt, session, date(2028, 4, 3), actor="KB-9003"),
            regular,
            parse_form(scores_form("goed", "goed", "goed")),
            by="KB-9003",
        )
        assert (row.raise_on, row.raise_granted, row.raise_reasons) == (
            date(2028, 9, 1),
            False,
            "te_kort",
        )
    run_day(rt, date(2028, 4, 7), municipality=KB)
    po = mails(smtp, "Periodieke verhoging vrijdag 1 september 2028: niet toegekend", PO)
    assert len(po) == 1
    assert "promotie kreeg" in text_of(po[0])


def test_ges_5_extra_appraisal_of_a_short_contract_survives_a_start_move(
    sqlite_runtime: Any,
    smtp: Any,
) -> None:
    """A six-month temporary hire has no cycle, so converting to permanent needs an extra
    appraisal; a start move (ONB-5) does not lose its invitation or form."""
    rt = sqlite_runtime
    add_kb_staff(rt, contract="tijdelijk", months=6)
    plan_cycle_only(rt, date(2027, 2, 15))
    with rt.factory() as session, session.begin():
        plan_extra_appraisal(
            context(rt, session, date(2027, 2, 15)),
            find_case(session, HIRE),
            kind=LegalKind.VAST,
            on=date(2027, 7, 12),
            requested_by="KB-9002",
        )
        move_hire(session, rt.config(KB), HIRE, date(2027, 3, 8), actor="test")
    plan_cycle_only(rt, date(2027, 2, 16))
    run_day(rt, date(2027, 7, 5), municipality=KB)
    assert len(mails(smtp, "Uitnodiging extra beoordelingsgesprek – Yara Jacobs")) == 2
    assert len(mails(smtp, "Beoordelingsformulier voor Yara Jacobs", MANAGER)) == 1
