"""Deciding through identity-bound links (REC-9): two people in their roles, once each, no
administrator path."""

from __future__ import annotations

from typing import Any

import typer
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from poflow.approvals.models import Approval, ApprovalRequest
from poflow.db.models import PersonRole
from poflow.kernel.foureyes import Outcome
from poflow.links import mint_link
from poflow.web import create_app
from tests.approvals.support import (
    ASKED,
    BRAM,
    NOA,
    ask,
    audit_actions,
    decide,
    outcome_of,
)
from tests.conftest import SmtpRecorder
from tests.web.support import (
    DIRK,
    SECRET,
    add_person,
    csrf_of,
    heading,
    login_for_link,
)


def test_rec_9_two_proper_approvals_make_the_outcome_approved(
    example_data: Any, smtp: SmtpRecorder
):
    """Leidinggevende and P&O approving through their own links give the outcome approved."""
    links = ask(example_data, smtp, ASKED)
    with TestClient(create_app(example_data.settings)) as client:
        first = decide(client, links[DIRK])
        assert heading(first.text) == "Vastgelegd"
        assert "tweede besluit moet nog komen" in first.text
        assert outcome_of(example_data) == (Outcome.PENDING, 1)
        assert "het verzoek is akkoord" in decide(client, links[BRAM]).text
    assert outcome_of(example_data) == (Outcome.APPROVED, 2)
    with example_data.factory() as session:
        request = session.scalars(select(ApprovalRequest)).one()
        assert request.outcome == Outcome.APPROVED
        assert request.decided_at is not None


def test_rec_9_the_same_person_cannot_approve_as_both_roles(
    hardenberg: Any, smtp: SmtpRecorder, client: TestClient
):
    """Someone holding both roles who approved as leidinggevende is refused as P&O too."""
    add_person(hardenberg, "HB-0090", ["leidinggevende", "po_adviseur"], "Noa", "Brink")
    links = ask(hardenberg, smtp, {"leidinggevende": "HB-0090", "po_adviseur": "HB-0002"})
    assert heading(decide(client, links[NOA]).text) == "Vastgelegd"
    with hardenberg.factory() as session, session.begin():  # a second link, as P&O
        token = mint_link(
            session,
            secret=SECRET,
            action="approval.decide",
            municipality="hardenberg",
            case_type="offer",
            case_id="OFFER-1",
            subject_id="HB-0090",
            data={"role": "po_adviseur"},
        )
    refused = decide(client, f"/a/{token}")
    assert refused.status_code == 409
    assert heading(refused.text) == "Niet gelukt"
    assert "Je hebt al besloten als leidinggevende" in refused.text
    assert outcome_of(hardenberg) == (Outcome.PENDING, 1)
    assert audit_actions(hardenberg)[-2:] == ["approval.refused", "link.refused"]


def test_rec_9_a_person_without_the_role_cannot_approve(
    hardenberg: Any, smtp: SmtpRecorder, client: TestClient
):
    """A P&O adviser whose role was withdrawn after the mail cannot approve with its link."""
    links = ask(hardenberg, smtp, ASKED)
    with hardenberg.factory() as session, session.begin():
        session.execute(
            delete(PersonRole).where(
                PersonRole.person_id == "HB-0002", PersonRole.role == "po_adviseur"
            )
        )
    refused = decide(client, links[BRAM])
    assert refused.status_code == 409
    assert "Je staat niet geregistreerd als P&amp;O-adviseur" in refused.text
    assert outcome_of(hardenberg) == (Outcome.PENDING, 0)
    assert "approval.refused" in audit_actions(hardenberg)


def test_rec_9_a_replayed_link_is_refused(hardenberg: Any, smtp: SmtpRecorder, client: TestClient):
    """Posting the same approval again, from the same or another browser, is refused as used."""
    links = ask(hardenberg, smtp, ASKED)
    login_for_link(client, links[DIRK])
    page = client.get(links[DIRK])
    form = {"csrf": csrf_of(page.text), "besluit": "akkoord", "toelichting": ""}
    assert heading(client.post(links[DIRK], data=form).text) == "Vastgelegd"
    replay = client.post(links[DIRK], data=form)
    assert replay.status_code == 410
    assert heading(replay.text) == "Deze link is al gebruikt"
    with TestClient(create_app(hardenberg.settings)) as other:
        assert heading(other.get(links[DIRK]).text) == "Deze link is al gebruikt"
        assert heading(other.post(links[DIRK], data=form).text) == "Deze link is al gebruikt"
    assert outcome_of(hardenberg) == (Outcome.PENDING, 1)


def test_rec_9_rejection_needs_a_reason_and_ends_the_decision(
    hardenberg: Any, smtp: SmtpRecorder, client: TestClient
):
    """Rejecting without a reason is refused; after a rejection no approval is accepted."""
    links = ask(hardenberg, smtp, ASKED)
    no_reason = decide(client, links[DIRK], "niet_akkoord")
    assert no_reason.status_code == 422
    assert "toelichting: die is verplicht" in no_reason.text
    assert outcome_of(hardenberg) == (Outcome.PENDING, 0)
    rejected = decide(client, links[DIRK], "niet_akkoord", "Salarisschaal past niet")
    assert heading(rejected.text) == "Vastgelegd"
    late = decide(client, links[BRAM])
    assert late.status_code == 409
    assert "al beslist (niet akkoord)" in late.text
    assert outcome_of(hardenberg) == (Outcome.REJECTED, 1)
    with hardenberg.factory() as session:
        assert session.scalars(select(Approval.reason)).one() == "Salarisschaal past niet"


def _commands(group: Any, prefix: str = "") -> list[str]:
    """Every command path of a Typer/Click command tree, e.g. "checkin held"."""
    return [
        n
        for name, cmd in getattr(group, "commands", {}).items()
        for n in [f"{prefix}{name}", *_commands(cmd, f"{prefix}{name} ")]
    ]


def test_rec_9_there_is_no_administrator_path(hardenberg: Any):
    """No web route or CLI command records a decision; only a person's own link can."""
    from poflow.cli import app as cli

    web = create_app(hardenberg.settings)
    routes = {(r.path, m) for r in web.routes for m in getattr(r, "methods", ())}
    assert {p for p, m in routes if m == "POST"} == {"/a/{token}"}
    names = _commands(typer.main.get_command(cli))
    assert names
    assert not [n for n in names if any(w in n for w in ("approv", "vierogen", "four"))]
