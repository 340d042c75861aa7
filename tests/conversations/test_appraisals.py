"""The appraisal form (GES-3), the raise decision (GES-4) and the archive mail (GES-6)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import AppraisalRefused
from poflow.conversations.appraisals import parse_form, record_appraisal
from poflow.conversations.case import find_cycle
from poflow.conversations.cycle import start_cycle
from poflow.conversations.models import Appraisal
from poflow.conversations.rules import Score
from poflow.db.models import AuditEntry, Step
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conversations.support import (
    HIRE,
    KB,
    MOTIVATION,
    add_kb_staff,
    context,
    mails,
    plan_cycle_only,
    scores_form,
    text_of,
    use_link,
)

EMPLOYEE = "yara.jacobs@kaag-en-braassem.example.nl"
MANAGER = "sanne.kb-9003@kaag-en-braassem.example.nl"
PO = "po@kaag-en-braassem.example.nl"
SECRETARIS = "wendy.kb-9001@kaag-en-braassem.example.nl"


def test_ges_3_4_6_full_round_from_form_to_raise_and_personnel_file(
    runtime: Any, smtp: Any
) -> None:
    """The seed's rhythm end to end (SQLite and PostgreSQL): the manager gets the form before the
    February appraisal, records three scores with motivation, the employee gets the form on the
    day of the talk, P&O hears the raise of the joining anniversary is granted and gets the form
    for the personnel file, and round two is planned a year after the first richtgesprek."""
    add_kb_staff(runtime)
    plan_cycle_only(runtime, date(2027, 2, 15))
    run_day(runtime, date(2028, 2, 7), municipality=KB)
    form_mail = mails(smtp, "Beoordelingsformulier voor Yara Jacobs", MANAGER)
    assert len(form_mail) == 1
    assert "maandag 14 februari 2028" in str(form_mail[0]["Subject"])
    assert len(mails(smtp, "Uitnodiging beoordelingsgesprek")) == 2

    message = use_link(runtime, form_mail[0], date(2028, 2, 8), scores_form())
    assert "vastgelegd" in message
    run_day(runtime, date(2028, 2, 8), municipality=KB)
    assert not mails(smtp, "Je beoordelingsformulier")  # shared on the day of the talk

    run_day(runtime, date(2028, 2, 14), municipality=KB)
    shared = mails(smtp, "Je beoordelingsformulier van maandag 14 februari 2028", EMPLOYEE)
    assert len(shared) == 1
    body = text_of(shared[0])
    assert "Prestatie: Goed" in body
    assert "Potentieel: Voldoende" in body
    assert MOTIVATION in body
    decision = mails(smtp, "Periodieke verhoging woensdag 1 maart 2028: toegekend", PO)
    assert len(decision) == 1
    archive = mails(smtp, "Voor het personeelsdossier: beoordelingsformulier Yara Jacobs", PO)
    assert len(archive) == 1
    assert MOTIVATION in text_of(archive[0])
    assert "Ontwikkelpunten kernwaarden: Goed" in text_of(archive[0])
    assert not mails(smtp, "Onvoldoende")

    with runtime.factory() as session:
        cycle = find_cycle(session, "hire", HIRE)
        assert cycle is not None
        assert (cycle.current_round, cycle.last_raise_on) == (2, date(2028, 3, 1))
        row = session.scalar(select(Appraisal).where(Appraisal.case_id == HIRE))
        assert row is not None
        assert row.raise_granted is True
        assert row.prestatie is Score.GOED
        nxt = session.scalar(
            select(Step).where(Step.case_id == HIRE, Step.key == "ges:2:richtgesprek")
        )
        assert nxt is not None
        assert nxt.due_date == date(2028, 4, 14)
    run_day(runtime, date(2028, 2, 14), municipality=KB)
    assert len(mails(smtp, "Je beoordelingsformulier")) == 1  # a re-run sends nothing


@pytest.fixture
def kb_person_cycle(sqlite_runtime: Any) -> Any:
    """Existing staff member KB-9005 with a cycle started 7 June 2027 (SQLite)."""
    runtime = sqlite_runtime
    add_kb_staff(runtime, hire_start=None)
    with runtime.factory() as session, session.begin():
        start_cycle(
            context(runtime, session, date(2027, 5, 3)),
            case_type="person",
            case_id="KB-9005",
            on=date(2027, 6, 7),
            manager_id="KB-9003",
            joined_on=date(2015, 9, 1),
            last_raise_on=date(2026, 9, 1),
        )
    return runtime


def _beoordeling(session: Any) -> Step:
    return session.scalar(
        select(Step).where(Step.case_id == "KB-9005", Step.key == "ges:1:beoordelingsgesprek")
    )


def test_ges_4_onvoldoende_means_no_raise_and_goes_to_the_gemeentesecretaris(
    kb_person_cycle: Any,
    smtp: Any,
) -> None:
    """An onvoldoende on potentieel: P&O hears there is no standard raise, and the
    gemeentesecretaris gets the form to discuss it."""
    rt = kb_person_cycle
    with rt.factory() as session, session.begin():
        step = _beoordeling(session)
        assert step.due_date == date(2028, 4, 7)
        record_appraisal(
            context(rt, session, date(2028, 4, 3), actor="KB-9003"),
            step,
            parse_form(scores_form(potentieel="onvoldoende")),
            by="KB-9003",
        )
    run_day(rt, date(2028, 4, 7), municipality=KB)
    po = mails(smtp, "Periodieke verhoging vrijdag 1 september 2028: niet toegekend", PO)
    assert len(po) == 1
    assert "niet alle onderdelen zijn minimaal voldoende beoordeeld" in text_of(po[0])
    to_gs = mails(smtp, "Onvoldoende beoordeling – Ruud van Leeuwen", SECRETARIS)
    assert len(to_gs) == 1
    assert "Potentieel: Onvoldoende" in text_of(to_gs[0])
    with rt.factory() as session:
        cycle = find_cycle(session, "person", "KB-9005")
        assert cycle is not None
        assert cycle.last_raise_on == date(2026, 9, 1)


def test_ges_4_scale_maximum_means_no_raise_without_the_gemeentesecretaris(
    kb_person_cycle: Any,
    smtp: Any,
) -> None:
    """At the scale maximum good scores give no raise, and the secretaris is not troubled."""
    rt = kb_person_cycle
    with rt.factory() as session, session.begin():
        find_cycle(session, "person", "KB-9005").at_scale_max = True  # type: ignore[union-attr]
        record_appraisal(
            context(rt, session, date(2028, 4, 3), actor="KB-9003"),
            _beoordeling(session),
            parse_form(scores_form("zeer_goed")),
            by="KB-9003",
        )
    run_day(rt, date(2028, 4, 7), municipality=KB)
    po = mails(smtp, "niet toegekend", PO)
    assert len(po) == 1
    assert "het maximum van de functieschaal is bereikt" in text_of(po[0])
    assert not mails(smtp, "Onvoldoende beoordeling")


def test_ges_3_form_refuses_missing_scores_motivation_and_a_second_recording(
    kb_person_cycle: Any,
) -> None:
    """The form needs a known score and a motivation per component, from the leidinggevende,
    once; every refusal is a named AppraisalRefused with a Dutch message."""
    rt = kb_person_cycle
    with pytest.raises(AppraisalRefused, match="Kies bij 'Potentieel' een score"):
        parse_form({**scores_form(), "potentieel": "uitstekend"})
    with pytest.raises(AppraisalRefused, match="motivatie"):
        parse_form({**scores_form(), "kernwaarden_motivatie": "  "})
    with rt.factory() as session, session.begin():
        ctx = context(rt, session, date(2028, 4, 3), actor="KB-9004")
        step = _beoordeling(session)
        with pytest.raises(AppraisalRefused, match="Alleen de leidinggevende"):
            record_appraisal(ctx, step, parse_form(scores_form()), by="KB-9004")
        record_appraisal(ctx, step, parse_form(scores_form()), by="KB-9003")
        assert step.state == StepState.DONE
        with pytest.raises(AppraisalRefused, match="al vastgelegd"):
            record_appraisal(ctx, step, parse_form(scores_form()), by="KB-9003")


def test_ges_6_scores_and_motivations_stay_out_of_the_audit_log(
    kb_person_cycle: Any, smtp: Any
) -> None:
    """Recording and archiving an appraisal audits ids only: no score, no motivation (X-3)."""
    rt = kb_person_cycle
    with rt.factory() as session, session.begin():
        record_appraisal(
            context(rt, session, date(2028, 4, 3), actor="KB-9003"),
            _beoordeling(session),
            parse_form(scores_form(prestatie="onvoldoende")),
            by="KB-9003",
        )
    run_day(rt, date(2028, 4, 7), municipality=KB)
    with rt.factory() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("ges.%"))).all()
    actions = {r.action for r in rows}
    assert {
        "ges.appraisal.recorded",
        "ges.raise.decided",
        "ges.appraisal.archived",
        "ges.onvoldoende.escalated",
    } <= actions
    dump = " ".join(str(r.detail) for r in rows).lower()
    for secret in ("onvoldoende", "voldoende", "goed", MOTIVATION.lower()[:20], "ruud"):
        assert secret not in dump
