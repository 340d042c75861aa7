"""Bypass attempts on the policy rules of issue 22's RULES part: none succeeds, each is audited.

1. INT-2/INT-5: the leidinggevende's "gesprek heeft plaatsgevonden" link of the
   startontwikkelgesprek used weeks before the six months end, to close the programme early;
2. REC-4: the MT-lid selects a lower tier and leaves a higher one out without a reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from poflow import runtime as runtime_module
from poflow._exceptions import PreferenceRefused
from poflow.cli import app
from poflow.db.models import AuditEntry, Step
from poflow.engine import Registry
from poflow.hires.process import SPEC as HIRES
from poflow.introduction.models import Enrolment
from poflow.introduction.process import SPEC as INTRODUCTION
from poflow.introduction.states import EnrolmentState
from poflow.states import StepState
from poflow.web.service import LinkPages
from tests.introduction.support import (
    MANAGER_EMAIL,
    Spec,
    add_hires,
    messages,
    run_capture,
    staff,
    tokens,
)
from tests.recruitment.support import MT, PO, import_example_staff, published_with
from tests.reliability.support import record
from tests.support import cli_login
from tests.web.support import subject_viewer


def _audits(rt: Any, action: str, **detail: str) -> int:
    with rt.factory() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        return sum(all(r.detail.get(k) == v for k, v in detail.items()) for r in rows)


def test_bypass_int_5_the_closing_talk_link_before_six_months_is_refused_and_audited(
    sqlite_runtime: Any, smtp: Any, monkeypatch: Any
) -> None:
    """The talk link pressed before the six months end (2 August 2027) leaves the
    programme running, shows the Dutch reason and is audited as a refused link action."""
    only = Registry.build([HIRES, INTRODUCTION])
    monkeypatch.setattr(runtime_module, "_registry", lambda: only)
    rt = sqlite_runtime
    staff(rt)
    add_hires(rt, [Spec("NH-B-A", "vast", None, date(2027, 2, 1))])
    run_capture(rt, smtp, date(2027, 1, 25), date(2027, 1, 25), series=())
    per_day = run_capture(rt, smtp, date(2027, 7, 1), date(2027, 7, 6), series=())
    invite = messages(per_day, to=MANAGER_EMAIL, subject="Uitnodiging Startontwikkelgesprek")[0]
    pages = LinkPages(rt)
    token = tokens(invite)[0]
    viewer = subject_viewer(rt, token)  # the leidinggevende, logged in (the link needs it)
    shown = pages.show(token, None, viewer=viewer)
    page = pages.act(token, {"csrf": [shown.context["csrf"]]}, shown.nonce, viewer=viewer)
    with rt.factory() as session:
        state = session.scalars(select(Enrolment.state)).one()
        talk = session.scalars(select(Step).where(Step.key == "int:startontwikkelgesprek")).one()
    refused = state == EnrolmentState.ACTIVE and talk.state == StepState.OPEN
    audited = _audits(rt, "link.refused", error="ClosingRefused") == 1
    record(
        "bypass",
        variant="INT-5 closing talk recorded before the six months end",
        refused=refused,
        audited=audited,
        error=f"HTTP {page.status}",
    )
    assert refused
    assert audited
    assert "na zes maanden" in page.context["message"]


def test_bypass_rec_4_passing_over_a_higher_tier_without_a_reason_is_refused_and_audited(
    sqlite_runtime: Any, smtp: Any
) -> None:
    """`poflow recruitment select` choosing tier 2 over tier 1 without --passed-over is
    refused, changes nothing and leaves an audit row naming the candidate left out."""
    rt = sqlite_runtime
    import_example_staff(rt)
    rid, (first, second) = published_with(rt, smtp, [("Anna", 1), ("Bert", 2)])
    cli_login(rt, MT)  # the round's MT-lid selects, logged in on the command line
    result = CliRunner().invoke(app, ["recruitment", "select", rid, second, "--with-po", PO])
    with rt.factory() as session:
        moved = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "candidate.moved", AuditEntry.entity_id == second)
        )
    refused = isinstance(result.exception, PreferenceRefused) and moved == 0
    audited = _audits(rt, "round.selection_refused", passed_over=first) == 1
    record(
        "bypass",
        variant="REC-4 higher tier passed over without a reason",
        refused=refused,
        audited=audited,
        error=type(result.exception).__name__,
    )
    assert refused
    assert audited
