"""REC-10: "de arbeidsovereenkomst [wordt] opgesteld op basis van de besproken voorwaarden" (issue
22, item 14): P&O gets the task with a concept from the agreed terms, and the hire waits for it."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from poflow.cli import app
from poflow.db.models import AuditEntry, Step
from poflow.recruitment import stages
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.states import RoundState
from poflow.states import StepState
from tests.recruitment.support import (
    D0,
    MT_MAIL,
    PO,
    PO_MAIL,
    approve_by_mail,
    body,
    contract_by_mail,
    mail_to,
    round_at_terms,
    run,
    send,
)

runner = CliRunner()


def _agreed(rt: Any, mails: Any) -> str:
    rid, _cand = round_at_terms(rt, mails)
    approve_by_mail(rt, mails, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, mails, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert run(rt, D0, stages.advance_round, rid) is RoundState.ADVICE
    send(rt)
    return rid


def _task(rt: Any, rid: str) -> Step:
    with rt.factory() as s:
        return s.scalars(
            select(Step).where(Step.case_id == rid, Step.key.like("rec:arbeids%"))
        ).one()


def test_rec_10_po_gets_the_contract_task_with_a_concept_and_the_hire_waits_for_it(
    rt: Any, mails: Any
) -> None:
    """Once the terms are agreed P&O's adviser gets "Arbeidsovereenkomst opstellen" with a PDF
    concept of the agreed terms; the round stays in advice until P&O reports it drawn up by the
    mail's link, then the hire is made."""
    rid = _agreed(rt, mails)
    task = _task(rt, rid)
    assert (task.owner_role, task.owner_id, task.state) == ("po_adviseur", PO, StepState.OPEN)
    msg = mail_to(mails, PO_MAIL, "Arbeidsovereenkomst opstellen")
    assert str(msg["Subject"]) == (
        "Arbeidsovereenkomst opstellen: Lisa Testpersoon, Beleidsadviseur wonen"
    )
    text = body(msg)
    for expected in (
        "CONCEPT ARBEIDSOVEREENKOMST BELEIDSADVISEUR WONEN",
        "Werknemer: Lisa Testpersoon",
        "Contractvorm: tijdelijk (12 maanden)",
        "Ingangsdatum: 03-05-2027",
        "uiterlijk vrijdag 16 april 2027",  # 10 working days before Monday 3 May (27 April off)
        "CAO Gemeenten",
    ):
        assert expected in text
    assert "poflow recruitment" not in text  # the mail links, it names no command
    pdf = next(p for p in msg.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename() == f"concept-arbeidsovereenkomst-{rid}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    for _ in range(2):  # waits, however often the round is advanced
        assert run(rt, D0, stages.advance_round, rid) is RoundState.ADVICE
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).hire_id is None
    page = contract_by_mail(rt, mails)
    assert "arbeidsovereenkomst voor Beleidsadviseur wonen is opgesteld" in str(page.context)
    assert _task(rt, rid).done_by == PO
    assert run(rt, D0, stages.advance_round, rid) is RoundState.FILLED


def test_rec_10_po_marks_the_contract_drawn_up_on_the_command_line_audited_as_operator(
    rt: Any, mails: Any
) -> None:
    """`poflow recruitment contract ROUND` records the task done as the operating-system user
    (cli:<user>) and the round goes on to the hire; a second time changes nothing."""
    rid = _agreed(rt, mails)
    result = runner.invoke(app, ["recruitment", "contract", rid])
    assert result.exit_code == 0, result.output
    assert f"{rid}: contract recorded as drawn up; the round is filled." in result.output
    operator = f"cli:{getpass.getuser()}"
    assert _task(rt, rid).done_by == operator
    with rt.factory() as s:
        done = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "round.contract_done", AuditEntry.entity_id == rid
            )
        ).one()
    assert done.actor == operator
    again = runner.invoke(app, ["recruitment", "contract", rid])
    assert "was already drawn up" in again.output
