"""The four-eyes terms talk of a round cannot be bypassed, and every attempt is audited (REC-9)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from poflow._exceptions import ApprovalRefused, RecruitmentRefused
from poflow.approvals.decisions import record_decision
from poflow.approvals.models import Approval
from poflow.approvals.requests import DECIDE
from poflow.db.models import AuditEntry
from poflow.kernel.foureyes import Outcome
from poflow.links import mint_link
from poflow.recruitment import appointment, stages
from poflow.recruitment.gates import TERMS, terms_subject
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.rules import TERMS_ROLES
from poflow.recruitment.states import RoundState
from tests.recruitment.support import (
    COLLEGA,
    D0,
    MT,
    MT_MAIL,
    PO,
    PO_MAIL,
    SLUG,
    approve_by_mail,
    click,
    mail_to,
    open_round,
    round_at_terms,
    run,
    tokens,
)

ADMIN, BOTH = "HB-0091", "HB-0090"


@pytest.fixture
def smtp(shared: tuple[Any, Any]) -> Any:
    """The module's SMTP server."""
    return shared[1]


def refusals(rt: Any) -> int:
    """How many refused approval or link attempts the audit log holds."""
    with rt.factory() as s:
        return len(
            s.scalars(
                select(AuditEntry).where(
                    AuditEntry.action.in_(("approval.refused", "link.refused"))
                )
            ).all()
        )


@contextmanager
def audited(rt: Any) -> Iterator[None]:
    """The attempt inside the block leaves at least one refusal in the audit log (X-4)."""
    before = refusals(rt)
    yield
    assert refusals(rt) > before, "a refused attempt was not audited"


def state(rt: Any, rid: str) -> RoundState:
    """The round's state after the flow's own check (advance_round)."""
    return run(rt, D0, stages.advance_round, rid)


def subject(rt: Any, rid: str) -> str:
    """The approval subject id of the round's current terms."""
    with rt.factory() as s:
        return terms_subject(s.get(RecruitmentRound, rid))


def decide(rt: Any, rid: str, person: str, role: str, approve: bool = True) -> Outcome:
    """Record a decision straight in the domain, bypassing links (what an insider could try)."""
    with rt.factory() as s, s.begin():
        try:
            return record_decision(
                s,
                municipality=SLUG,
                subject_type=TERMS,
                subject_id=subject(rt, rid),
                required_roles=TERMS_ROLES,
                role=role,
                person_id=person,
                approve=approve,
            )
        except ApprovalRefused:
            s.commit()  # keep the audit row of the refusal, as the callers do
            raise


def test_rec_9_same_person_twice_is_refused(both_dbs: Any, smtp: Any) -> None:
    """P&O approves, then tries again by link and in the domain: refused and audited (REC-9)."""
    rt = both_dbs
    rid, _ = round_at_terms(rt, smtp)
    link = tokens(mail_to(smtp, PO_MAIL, "Arbeidsvoorwaardengesprek"))[0]
    assert click(rt, link, besluit="akkoord").context["ok"] is True
    with audited(rt):
        assert click(rt, link, besluit="akkoord").template == "refused.html"
    with audited(rt), pytest.raises(ApprovalRefused, match="already"):
        decide(rt, rid, PO, "po_adviseur")
    assert state(rt, rid) is RoundState.TERMS


def test_rec_9_one_person_holding_both_roles_decides_once(rt: Any, smtp: Any) -> None:
    """Someone who is leidinggevende and P&O fills one role only; the second eye stays open."""
    with pytest.raises(RecruitmentRefused, match="two different people"):
        open_round(rt, formation_change=False, leidinggevende_id=BOTH, po_id=BOTH)
    rid, _ = round_at_terms(rt, smtp, leidinggevende_id=BOTH)
    approve_by_mail(rt, smtp, "dubbel@", "Arbeidsvoorwaardengesprek")
    with audited(rt), pytest.raises(ApprovalRefused, match=r"was not asked|already decided"):
        decide(rt, rid, BOTH, "po_adviseur")
    assert state(rt, rid) is RoundState.TERMS


def test_rec_9_a_role_holder_who_was_not_asked_is_refused_and_the_asked_still_decide(
    rt: Any, smtp: Any
) -> None:
    """Another registered leidinggevende deciding in the domain is refused, records nothing, and
    the asked leidinggevende and P&O adviser still decide (REC-9)."""
    rid, _ = round_at_terms(rt, smtp)
    with audited(rt), pytest.raises(ApprovalRefused, match="was not asked"):
        decide(rt, rid, BOTH, "leidinggevende")
    with rt.factory() as s:
        assert (
            s.scalars(select(Approval).where(Approval.subject_id == subject(rt, rid))).all() == []
        )
    approve_by_mail(rt, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert state(rt, rid) is RoundState.TERMS
    approve_by_mail(rt, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    assert state(rt, rid) is not RoundState.TERMS


def test_rec_9_a_person_without_the_role_is_refused(rt: Any, smtp: Any) -> None:
    """A colleague with a link minted for the P&O role is refused and audited (REC-9)."""
    rid, _ = round_at_terms(rt, smtp)
    with rt.factory() as s, s.begin():
        token = mint_link(
            s,
            secret=rt.settings.signing_keys(),
            action=DECIDE,
            municipality=SLUG,
            case_type=TERMS,
            case_id=subject(rt, rid),
            subject_id=COLLEGA,
            data={"role": "po_adviseur"},
        )
    with audited(rt):
        page = click(rt, token, besluit="akkoord")
    assert page.context["ok"] is False
    assert "niet geregistreerd" in page.context["message"]
    with audited(rt), pytest.raises(ApprovalRefused, match="not registered as po_adviseur"):
        decide(rt, rid, COLLEGA, "po_adviseur")
    approve_by_mail(rt, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    assert state(rt, rid) is RoundState.TERMS


def test_rec_9_replayed_forwarded_or_altered_links_add_no_eye(rt: Any, smtp: Any) -> None:
    """A used link replayed, forwarded after use, altered or for another subject is refused."""
    rid, _ = round_at_terms(rt, smtp)
    mt_link = tokens(mail_to(smtp, MT_MAIL, "Arbeidsvoorwaardengesprek"))[0]
    vacancy_link = tokens(mail_to(smtp, PO_MAIL, "als P&O-adviseur: Vacaturetekst"))[0]
    assert click(rt, mt_link, besluit="akkoord").context["ok"] is True
    for attempt in (mt_link, mt_link[:-2] + "xx", vacancy_link):  # replay/forward, alter, reuse
        with audited(rt):
            assert click(rt, attempt, besluit="akkoord").template == "refused.html"
    with rt.factory() as s:
        votes = s.scalars(select(Approval).where(Approval.subject_id == subject(rt, rid))).all()
        assert [(v.person_id, v.role) for v in votes] == [(MT, "leidinggevende")]
    assert state(rt, rid) is RoundState.TERMS


def test_rec_9_approval_after_a_rejection_is_refused(rt: Any, smtp: Any) -> None:
    """Once the leidinggevende rejected, P&O's approval is refused and the round goes back."""
    rid, _ = round_at_terms(rt, smtp)
    approve_by_mail(
        rt,
        smtp,
        MT_MAIL,
        "Arbeidsvoorwaardengesprek",
        "niet_akkoord",
        "Salarisverwachting past niet in de schaal.",
    )
    with audited(rt):
        page = approve_by_mail(rt, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert page.context["ok"] is False
    assert "al beslist" in page.context["message"]
    assert state(rt, rid) is RoundState.ROUND_TWO


def test_rec_9_an_administrator_has_no_override(both_dbs: Any, smtp: Any) -> None:
    """An administrator can neither decide, nor insert a second vote, nor skip the step."""
    rt = both_dbs
    rid, _ = round_at_terms(rt, smtp)
    for person, role in (
        (ADMIN, "po_adviseur"),
        (ADMIN, "leidinggevende"),
        ("cli", "po_adviseur"),
        (ADMIN, "beheerder"),
    ):
        with audited(rt), pytest.raises(ApprovalRefused):
            decide(rt, rid, person, role)
    approve_by_mail(rt, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    with rt.factory() as s, pytest.raises(IntegrityError), s.begin():  # a raw second vote
        s.add(
            Approval(
                municipality=SLUG,
                subject_type=TERMS,
                subject_id=subject(rt, rid),
                role="leidinggevende",
                person_id=PO,
                approve=True,
            )
        )
    assert run(rt, D0, appointment.create_hire, rid) is None  # no hire without both eyes
    assert state(rt, rid) is RoundState.TERMS
