"""Retention of rejected candidates' data (X-3) and the round's progress in ids and counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from poflow.db.models import AuditEntry, Outbox, Step
from poflow.engine import TZ
from poflow.recruitment import candidates, retention, rounds, stages
from poflow.recruitment.models import Candidate, RoundTally
from tests.recruitment.support import (
    D0,
    MT,
    PO,
    PO2,
    SLUG,
    apply,
    approve_by_mail,
    open_round,
    publish,
    run,
    select_confirmed,
    send,
)


def purge(rt: Any, day: date) -> Any:
    """One retention pass for Hardenberg on `day`."""
    with rt.factory() as s, s.begin():
        return retention.purge_candidates(s, rt.config(SLUG), day)


def cancelled_round(rt: Any, mails: Any) -> tuple[str, list[str]]:
    """A round withdrawn on D0 with three rejected candidates (one consented to a year)."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    ids = [apply(rt, rid, "Kees", 2, D0), apply(rt, rid, "Lotte", 1, D0, consent_retention=True)]
    ids.append(
        run(
            rt,
            D0,
            candidates.plan_koffiemoment,
            rid,
            given_name="Mo",
            family_name="Testpersoon",
            email="mo@example.org",
            host_id=PO2,
            starts_at=datetime(2027, 3, 3, 9, 0, tzinfo=TZ),
        ).id
    )
    select_confirmed(
        rt,
        D0,
        rid,
        1,
        ids[:1],
        by=MT,
        with_po=PO,
        passed_over_reasons={ids[1]: "Voldoet niet aan de functie-eisen."},  # REC-4
    )
    run(rt, D0, rounds.cancel_round, rid, by=PO)
    send(rt)
    return rid, ids


def left_of(rt: Any, cand_id: str) -> tuple[bool, int, int]:
    """Whether the candidate still exists, and how many mails and steps still name them."""
    with rt.factory() as s:
        mails = s.scalars(select(Outbox).where(Outbox.case_id == cand_id)).all()
        steps = s.scalars(select(Step).where(Step.case_id == cand_id)).all()
        return s.get(Candidate, cand_id) is not None, len(mails), len(steps)


def test_x_3_rejected_data_goes_four_weeks_after_the_round_or_a_year_with_consent(
    rt: Any, mails: Any
) -> None:
    """Names, addresses, mails and interviews go on time; anonymous counts stay (X-3)."""
    rid, (kees, lotte, mo) = cancelled_round(rt, mails)
    assert left_of(rt, kees)[0]
    assert left_of(rt, kees)[1] > 0
    assert purge(rt, D0 + timedelta(days=27)).candidates == 0
    report = purge(rt, D0 + timedelta(weeks=4))
    assert report.candidates == 2
    assert report.mails >= 3
    assert report.steps >= 1
    assert left_of(rt, kees) == (False, 0, 0)
    assert left_of(rt, mo) == (False, 0, 0)
    assert left_of(rt, lotte)[0]
    assert purge(rt, date(2028, 2, 29)).candidates == 0
    assert purge(rt, date(2028, 3, 1)).candidates == 1
    with rt.factory() as s:
        tallies = {
            (t.tier, t.outcome): t.count
            for t in s.scalars(select(RoundTally).where(RoundTally.round_id == rid))
        }
        trail = s.scalars(select(AuditEntry).where(AuditEntry.entity_id.in_([kees, lotte]))).all()
    assert tallies == {(2, "rejected"): 1, (1, "rejected"): 1, (4, "withdrawn"): 1}
    assert trail
    assert all("Kees" not in str(a.detail) and "example.org" not in str(a.detail) for a in trail)
    assert purge(rt, date(2028, 3, 1)).candidates == 0  # a second pass finds nothing


def test_x_3_the_hired_candidate_and_open_rounds_are_not_purged(rt: Any, mails: Any) -> None:
    """Only rejected or withdrawn candidates of closed rounds go; an open round keeps all."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    cand = apply(rt, rid, "Nina", 2, D0)
    select_confirmed(rt, D0, rid, 1, [cand])
    assert purge(rt, date(2030, 1, 1)).candidates == 0
    assert left_of(rt, cand)[0]


def test_x_3_approval_texts_about_a_purged_candidate_are_blanked(rt: Any, mails: Any) -> None:
    """The offer and terms questions naming the candidate, and reasons given, lose their text."""
    from poflow.approvals.models import Approval, ApprovalRequest
    from tests.recruitment.support import MT_MAIL, round_at_terms

    rid, cand = round_at_terms(rt, mails)
    approve_by_mail(
        rt,
        mails,
        MT_MAIL,
        "Arbeidsvoorwaardengesprek",
        "niet_akkoord",
        "Persoonlijke omstandigheden van de kandidaat.",
    )
    run(rt, D0, stages.advance_round, rid)
    run(rt, D0, rounds.cancel_round, rid, by=PO)
    purge(rt, D0 + timedelta(weeks=4))
    with rt.factory() as s:
        titles = s.scalars(
            select(ApprovalRequest.title).where(ApprovalRequest.subject_id.startswith(f"{cand}:"))
        ).all()
        reasons = s.scalars(
            select(Approval.reason).where(Approval.subject_id.startswith(f"{cand}:"))
        ).all()
    assert titles
    assert all("Lisa" not in t for t in titles)
    assert reasons
    assert all(r is None for r in reasons)
