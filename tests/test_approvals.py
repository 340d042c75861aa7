"""Tests of four-eyes approvals through identity-bound links (REC-9), and of the waiting flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from poflow._exceptions import ApprovalRefused
from poflow.approvals.foureyes import Approval, Outcome
from poflow.approvals.requests import ApprovalRequest, approval_outcome, request_approval
from poflow.db.models import AuditEntry, PersonRole
from poflow.engine import Context
from poflow.links import mint_link
from poflow.mail.sending import SmtpTarget, send_queued
from poflow.runtime import today
from poflow.web import create_app

from .conftest import SmtpRecorder, wait_for
from tests.web.support import (  # noqa: F401  (fixtures)
    DIRK,
    SECRET,
    add_person,
    csrf_of,
    example_db_template,
    flow_state,
    hardenberg,
    heading,
    link_in_mail,
    path_of,
    run_in_thread,
)

BRAM = "bram.dewit@hardenberg.example.nl"  # HB-0002, po_adviseur
NOA = "noa.brink@hardenberg.example.nl"  # HB-0090, fictional: leidinggevende and po_adviseur
ASKED = {"leidinggevende": "HB-0004", "po_adviseur": "HB-0002"}


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c


def ask(
    rt: Any, smtp: SmtpRecorder, required: dict[str, str], subject_id: str = "OFFER-1"
) -> dict[str, str]:
    """Request the approval, send the mails; return each recipient's link path by address."""
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", today())
        request_approval(
            ctx,
            subject_type="offer",
            subject_id=subject_id,
            required=required,
            title="Arbeidsvoorwaarden kandidaat K-17",
        )
    send_queued(rt.factory, SmtpTarget.from_settings(rt.settings))
    return {
        str(m["To"]).split("<")[-1].rstrip(">"): path_of(link_in_mail(m))
        for m in smtp.messages
        if "Je besluit gevraagd" in str(m["Subject"])
    }


def decide(client: TestClient, path: str, besluit: str = "akkoord", toelichting: str = "") -> Any:
    """Open a link and press the button with a decision."""
    page = client.get(path)
    return client.post(
        path, data={"csrf": csrf_of(page.text), "besluit": besluit, "toelichting": toelichting}
    )


def outcome_of(rt: Any, subject_id: str = "OFFER-1") -> tuple[Outcome, int]:
    with rt.factory() as session:
        count = len(
            session.scalars(select(Approval).where(Approval.subject_id == subject_id)).all()
        )
        return approval_outcome(session, "offer", subject_id), count


def audit_actions(rt: Any) -> list[str]:
    with rt.factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_rec_9_each_person_gets_their_own_link_by_mail(hardenberg: Any, smtp: SmtpRecorder):
    """The leidinggevende and P&O each receive a Dutch mail with a link bound to them and a role."""
    links = ask(hardenberg, smtp, ASKED)
    assert set(links) == {DIRK, BRAM}
    assert links[DIRK] != links[BRAM]
    subjects = sorted(str(m["Subject"]).strip() for m in smtp.messages)
    assert subjects == [
        "Je besluit gevraagd als P&O-adviseur: Arbeidsvoorwaarden kandidaat K-17",
        "Je besluit gevraagd als leidinggevende: Arbeidsvoorwaarden kandidaat K-17",
    ]
    assert "approval.requested" in audit_actions(hardenberg)


def test_rec_9_two_proper_approvals_make_the_outcome_approved(
    example_data: Any, smtp: SmtpRecorder
):
    """Leidinggevende and P&O approving through their own links give the outcome approved."""
    links = ask(example_data, smtp, ASKED)
    with TestClient(create_app(example_data.settings)) as client:
        first = decide(client, links[DIRK])
        assert heading(first.text) == "Gelukt"
        assert "tweede besluit moet nog komen" in first.text
        assert outcome_of(example_data) == (Outcome.PENDING, 1)
        assert "het verzoek is akkoord" in decide(client, links[BRAM]).text
    assert outcome_of(example_data) == (Outcome.APPROVED, 2)
    with example_data.factory() as session:
        request = session.scalars(select(ApprovalRequest)).one()
        assert request.outcome == Outcome.APPROVED
        assert request.decided_at is not None


def test_rec_9_the_same_person_is_never_asked_for_both_roles(hardenberg: Any):
    """A request naming one person for both roles is refused before any mail is queued."""
    add_person(hardenberg, "HB-0090", ["leidinggevende", "po_adviseur"], "Noa", "Brink")
    with hardenberg.factory() as session, session.begin():
        ctx = hardenberg.context(session, "hardenberg", today())
        with pytest.raises(ApprovalRefused, match="different people"):
            request_approval(
                ctx,
                subject_type="offer",
                subject_id="OFFER-1",
                title="t",
                required={"leidinggevende": "HB-0090", "po_adviseur": "HB-0090"},
            )
        assert session.scalars(select(ApprovalRequest)).all() == []


def test_rec_9_the_same_person_cannot_approve_as_both_roles(
    hardenberg: Any, smtp: SmtpRecorder, client: TestClient
):
    """Someone holding both roles who approved as leidinggevende is refused as P&O too."""
    add_person(hardenberg, "HB-0090", ["leidinggevende", "po_adviseur"], "Noa", "Brink")
    links = ask(hardenberg, smtp, {"leidinggevende": "HB-0090", "po_adviseur": "HB-0002"})
    assert heading(decide(client, links[NOA]).text) == "Gelukt"
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
    page = client.get(links[DIRK])
    form = {"csrf": csrf_of(page.text), "besluit": "akkoord", "toelichting": ""}
    assert heading(client.post(links[DIRK], data=form).text) == "Gelukt"
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
    assert heading(rejected.text) == "Gelukt"
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


def test_rec_9_the_database_refuses_a_second_decision_by_the_same_person(example_data: Any):
    """Below the domain rule, a unique constraint stops one person deciding twice on a subject."""
    rows = [
        Approval(
            municipality="example_data",
            subject_type="offer",
            subject_id="OFFER-1",
            role=role,
            person_id="HB-0004",
            approve=True,
        )
        for role in ("leidinggevende", "po_adviseur")
    ]
    with pytest.raises(IntegrityError), example_data.factory() as session, session.begin():
        session.add_all(rows)


# -- the waiting flow ----------------------------------------------------------------------------
def test_rec_9_two_proper_approvals_complete_a_waiting_flow(
    prefect_harness: None, hardenberg: Any, smtp: SmtpRecorder, client: TestClient
):
    """The flow pauses; a UI resume alone does not end it; the two link approvals complete it."""
    from prefect.flow_runs import resume_flow_run

    from poflow.flows.approval import await_four_eyes

    thread, out = run_in_thread(
        await_four_eyes,
        subject_type="offer",
        subject_id="OFFER-9",
        municipality="hardenberg",
        required=ASKED,
        poll_seconds=1,
    )
    assert wait_for(lambda: len(smtp.messages) == 2, 60)
    links = {
        str(m["To"]).split("<")[-1].rstrip(">"): path_of(link_in_mail(m)) for m in smtp.messages
    }
    with hardenberg.factory() as session:
        run_id = session.scalars(select(ApprovalRequest.flow_run_id)).one()
    assert run_id
    assert wait_for(lambda: flow_state(run_id).is_paused(), 30)

    resume_flow_run(run_id, run_input={"outcome": "approved"})  # as if from the Prefect UI
    assert wait_for(lambda: flow_state(run_id).is_paused(), 30), "a UI resume must not approve"
    assert thread.is_alive()

    assert heading(decide(client, links[DIRK]).text) == "Gelukt"
    assert heading(decide(client, links[BRAM]).text) == "Gelukt"
    thread.join(60)
    assert not thread.is_alive()
    assert out["result"] == "approved"
    assert flow_state(run_id).is_completed()
