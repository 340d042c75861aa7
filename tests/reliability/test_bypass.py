"""Bypass attempts on approvals (REC-9 four eyes) and action links: none succeeds, each is audited.

The variants tried:

1. one person approves in both roles (holds leidinggevende and po_adviseur);
2. one person approves twice in the same role;
3. someone not registered in the role approves (a medewerker as P&O);
4. someone approves in a role the request did not ask for (gemeentesecretaris);
5. an approval after the other side rejected (the outcome is already final);
6. an "administrator override": a non-person actor ("admin") approves;
7. the decision link used a second time (a double click, or a replay of the request);
8. the decision link with its payload altered to point at the other person's link;
9. a link signed with another secret (a forged link);
10. an expired decision link;
11. a revoked link (the hire was cancelled);
12. a cross-site POST without the CSRF value (the person's browser tricked into clicking);
13. the second person's link used by the first person (forwarded to themself): still the second
    person's decision, so the first cannot decide twice through it;
14. a leidinggevende whose role was withdrawn after being asked uses the link;
15. an approval requested of one person for both roles, and one with a single role;
16. the database itself: a second decision row by the same person inserted past the application.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from poflow._exceptions import ApprovalRefused
from poflow.approvals.decisions import record_decision
from poflow.approvals.models import Approval
from poflow.db.models import AuditEntry, Outbox, PersonRole
from tests.reliability.support import record
from tests.web.support import (
    add_person,
    csrf_of,
    login_for_link,
    refused_requests,
)

ROLES = ("leidinggevende", "po_adviseur")
LINK = re.compile(r"/a/([A-Za-z0-9_.\-]+)")


def _audits(rt: Any, *actions: str) -> int:
    with rt.factory() as session:
        return (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action.in_(actions))
            )
            or 0
        )


def _refusals(rt: Any) -> int:
    """Refusals recorded: each refused web request (counted per source and minute, its bucket
    audited once) and the audit row of every other refusal (an action or approval refused)."""
    with rt.factory() as session:
        others = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action.in_(("link.refused", "approval.refused")),
                AuditEntry.actor != "web",
            )
        )
    return len(refused_requests(rt)) + (others or 0)


def _decisions(rt: Any, subject_id: str) -> int:
    with rt.factory() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Approval).where(Approval.subject_id == subject_id)
            )
            or 0
        )


def _decide(
    rt: Any,
    subject_id: str,
    role: str,
    person_id: str,
    approve: bool = True,
    required: tuple[str, ...] = ROLES,
) -> None:
    """Record a decision straight through foureyes, committing the refusal's audit row."""
    with rt.factory() as session:
        try:
            record_decision(
                session,
                municipality="hardenberg",
                subject_type="offer",
                subject_id=subject_id,
                required_roles=required,
                role=role,
                person_id=person_id,
                approve=approve,
            )
        finally:
            session.commit()  # a refusal leaves only its audit row in the session


def _attempt(
    rt: Any,
    variant: str,
    subject_id: str,
    fn: Any,
    *,
    audit_actions: tuple[str, ...] = ("approval.refused",),
) -> None:
    """Run one bypass attempt: it must raise ApprovalRefused, add no decision, add an audit row."""
    decisions, audits = _decisions(rt, subject_id), _audits(rt, *audit_actions)
    with pytest.raises(ApprovalRefused) as refused:
        fn()
    refused_ok = _decisions(rt, subject_id) == decisions
    audited = _audits(rt, *audit_actions) > audits
    record(
        "bypass",
        variant=variant,
        refused=refused_ok,
        audited=audited,
        error=type(refused.value).__name__,
    )
    assert refused_ok, str(refused.value)
    assert audited, str(refused.value)


@pytest.fixture
def people(hardenberg: Any) -> Any:
    """Hardenberg plus a fictional person holding both roles and one plain medewerker."""
    add_person(hardenberg, "HB-0901", ["leidinggevende", "po_adviseur"], "Ilse", "Dubbel")
    add_person(hardenberg, "HB-0902", ["medewerker"], "Joost", "Gewoon")
    add_person(hardenberg, "HB-0903", ["gemeentesecretaris"], "Kees", "Secretaris")
    return hardenberg


def test_rec_9_one_person_cannot_approve_in_both_roles(people: Any):
    """Variant 1: the second approval by the same person is refused and audited."""
    _decide(people, "OF-1", "leidinggevende", "HB-0901")
    _attempt(
        people,
        "1 same person in both roles",
        "OF-1",
        lambda: _decide(people, "OF-1", "po_adviseur", "HB-0901"),
    )


def test_rec_9_one_person_cannot_approve_twice_in_one_role(people: Any):
    """Variant 2: approving again in the same role is refused and audited."""
    _decide(people, "OF-2", "leidinggevende", "HB-0004")
    _attempt(
        people,
        "2 same person twice in one role",
        "OF-2",
        lambda: _decide(people, "OF-2", "leidinggevende", "HB-0004"),
    )


def test_rec_9_someone_not_registered_in_the_role_cannot_approve(people: Any):
    """Variant 3: a medewerker approving as P&O is refused and audited."""
    _attempt(
        people,
        "3 not registered in the role",
        "OF-3",
        lambda: _decide(people, "OF-3", "po_adviseur", "HB-0902"),
    )


def test_rec_9_a_role_that_was_not_asked_cannot_approve(people: Any):
    """Variant 4: the gemeentesecretaris approving a leidinggevende/P&O decision is refused."""
    _attempt(
        people,
        "4 role not asked",
        "OF-4",
        lambda: _decide(people, "OF-4", "gemeentesecretaris", "HB-0903"),
    )


def test_rec_9_no_approval_after_a_rejection(people: Any):
    """Variant 5: once one side rejected, the other's approval is refused and audited."""
    _decide(people, "OF-5", "leidinggevende", "HB-0004", approve=False)
    _attempt(
        people,
        "5 approval after a rejection",
        "OF-5",
        lambda: _decide(people, "OF-5", "po_adviseur", "HB-0002"),
    )


def test_rec_9_there_is_no_administrator_override(people: Any):
    """Variant 6: an actor that is no registered person ("admin") cannot approve."""
    _decide(people, "OF-6", "leidinggevende", "HB-0004")
    _attempt(
        people,
        "6 administrator override",
        "OF-6",
        lambda: _decide(people, "OF-6", "po_adviseur", "admin"),
    )


# -- through the links and the web app -----------------------------------------------------------
@pytest.fixture
def asked(people: Any) -> Iterator[tuple[Any, TestClient, dict[str, str]]]:
    """An approval of offer OF-9 asked of HB-0004 and HB-0002; their tokens by person id."""
    from poflow.approvals.requests import request_approval
    from poflow.runtime import today
    from poflow.web import create_app

    rt = people
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", today())
        request_approval(
            ctx,
            subject_type="offer",
            subject_id="OF-9",
            required={"leidinggevende": "HB-0004", "po_adviseur": "HB-0002"},
            title="Aanbod OF-9",
        )
    with rt.factory() as session:
        rows = session.execute(
            select(Outbox.recipient_id, Outbox.body_text).where(Outbox.case_id == "OF-9")
        ).all()
    tokens = {pid: LINK.findall(body)[0] for pid, body in rows}
    with TestClient(create_app(rt.settings)) as client:
        yield rt, client, tokens


def _press(client: TestClient, token: str, decision: str = "akkoord", *, csrf: bool = True) -> Any:
    login_for_link(client, f"/a/{token}")  # the decision needs the asked person's login
    page = client.get(f"/a/{token}")
    form = {"besluit": decision, "toelichting": "Prima."}
    if csrf and page.status_code == 200:
        form["csrf"] = csrf_of(page.text)
    return client.post(f"/a/{token}", data=form)


def _web_attempt(rt: Any, variant: str, go: Any) -> None:
    """A web bypass: not 2xx, no new decision for OF-9, and the refusal recorded (X-4)."""
    decisions = _decisions(rt, "OF-9")
    refusals = _refusals(rt)
    answer = go()
    refused = answer.status_code >= 400 and _decisions(rt, "OF-9") == decisions
    audited = _refusals(rt) > refusals
    record(
        "bypass",
        variant=variant,
        refused=refused,
        audited=audited,
        error=f"HTTP {answer.status_code}",
    )
    assert refused, answer.status_code
    assert audited, answer.status_code


def test_rec_9_a_decision_link_works_once(asked: Any):
    """Variant 7: the first press records the decision; pressing the link again is refused."""
    rt, client, tokens = asked
    assert _press(client, tokens["HB-0004"]).status_code == 200
    _web_attempt(rt, "7 decision link used twice", lambda: _press(client, tokens["HB-0004"]))


def test_rec_9_an_altered_link_is_refused(asked: Any):
    """Variant 8: swapping the payload of one link for the other person's is refused."""
    rt, client, tokens = asked
    mine, theirs = tokens["HB-0004"], tokens["HB-0002"]
    altered = theirs.split(".")[0] + "." + mine.split(".")[1]
    _web_attempt(
        rt, "8 payload altered to the other person's link", lambda: _press(client, altered)
    )


def test_rec_9_a_link_signed_with_another_secret_is_refused(asked: Any):
    """Variant 9: a token made with a guessed secret is refused as forged."""
    from itsdangerous import URLSafeSerializer

    from poflow.links import SALT, ActionLink

    rt, client, _tokens = asked
    with rt.factory() as session:
        public_id = session.scalars(
            select(ActionLink.public_id).where(ActionLink.case_id == "OF-9")
        ).first()
    forged = URLSafeSerializer("change-me-poflow-development-key", salt=SALT).dumps(
        {"l": public_id}
    )
    _web_attempt(rt, "9 forged with another secret", lambda: _press(client, forged))


def test_rec_9_an_expired_decision_link_is_refused(asked: Any):
    """Variant 10: after its expiry the link decides nothing."""
    from sqlalchemy import update

    from poflow.db.base import utcnow
    from poflow.links import ActionLink

    rt, client, tokens = asked
    with rt.factory() as session, session.begin():
        session.execute(
            update(ActionLink)
            .where(ActionLink.case_id == "OF-9")
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    _web_attempt(rt, "10 expired link", lambda: _press(client, tokens["HB-0004"]))


def test_onb_5_a_revoked_link_is_refused(asked: Any):
    """Variant 11: a link revoked (its case withdrawn) decides nothing."""
    from poflow.link_tokens import revoke_links

    rt, client, tokens = asked
    with rt.factory() as session, session.begin():
        revoke_links(session, case_type="offer", case_id="OF-9")
    _web_attempt(rt, "11 revoked link", lambda: _press(client, tokens["HB-0002"]))


def test_rec_9_a_cross_site_post_without_csrf_is_refused(asked: Any):
    """Variant 12: a POST without the page's CSRF value (another site's form) is refused."""
    rt, client, tokens = asked
    login_for_link(client, f"/a/{tokens['HB-0002']}")  # the person's own session, no CSRF value
    _web_attempt(
        rt,
        "12 cross-site POST without CSRF",
        lambda: client.post(f"/a/{tokens['HB-0002']}", data={"besluit": "akkoord"}),
    )


def test_rec_9_the_first_person_cannot_decide_again_through_the_second_persons_link(asked: Any):
    """Variant 13: HB-0004 decides, then presses HB-0002's link: it records HB-0002 only once."""
    rt, client, tokens = asked
    assert _press(client, tokens["HB-0004"]).status_code == 200
    assert _press(client, tokens["HB-0002"]).status_code == 200  # HB-0002's own decision
    _web_attempt(rt, "13 forwarded link pressed again", lambda: _press(client, tokens["HB-0002"]))
    with rt.factory() as session:
        who = sorted(
            session.scalars(select(Approval.person_id).where(Approval.subject_id == "OF-9"))
        )
    assert who == ["HB-0002", "HB-0004"]


def test_rec_9_a_withdrawn_role_cannot_decide_through_an_old_link(asked: Any):
    """Variant 14: the leidinggevende's role is withdrawn after the request; the link is refused."""
    rt, client, tokens = asked
    with rt.factory() as session, session.begin():
        session.execute(
            delete(PersonRole).where(
                PersonRole.person_id == "HB-0004", PersonRole.role == "leidinggevende"
            )
        )
    _web_attempt(
        rt, "14 role withdrawn after the request", lambda: _press(client, tokens["HB-0004"])
    )


@pytest.mark.parametrize(
    "required",
    [{"leidinggevende": "HB-0901", "po_adviseur": "HB-0901"}, {"leidinggevende": "HB-0004"}],
    ids=["one-person-both-roles", "single-role"],
)
def test_rec_9_a_request_that_breaks_four_eyes_is_refused(people: Any, required: dict[str, str]):
    """Variant 15: asking one person for both roles, or one role only, is refused and audited."""
    from poflow.approvals.models import ApprovalRequest
    from poflow.approvals.requests import request_approval
    from poflow.runtime import today

    rt = people
    before = _audits(rt, "approval.refused", "approval.request_refused")
    with rt.factory() as session, session.begin():  # the refusal's audit row is committed
        ctx = rt.context(session, "hardenberg", today())
        with pytest.raises(ApprovalRefused):
            request_approval(
                ctx,
                subject_type="offer",
                subject_id="OF-15",
                required=required,
                title="Aanbod OF-15",
            )
    with rt.factory() as session:
        created = session.scalar(
            select(func.count())
            .select_from(ApprovalRequest)
            .where(ApprovalRequest.subject_id == "OF-15")
        )
    audited = _audits(rt, "approval.refused", "approval.request_refused") > before
    record(
        "bypass",
        variant=f"15 request with {len(set(required.values()))} person(s) for "
        f"{len(required)} role(s)",
        refused=created == 0,
        audited=audited,
        error="ApprovalRefused",
    )
    assert created == 0
    assert audited


def test_rec_9_the_database_refuses_a_second_decision_row_by_the_same_person(people: Any):
    """Variant 16: a row inserted past the application is refused by the unique constraint."""
    rt = people
    _decide(rt, "OF-16", "leidinggevende", "HB-0901")
    with pytest.raises(IntegrityError), rt.factory() as session, session.begin():
        session.add(
            Approval(
                municipality="hardenberg",
                subject_type="offer",
                subject_id="OF-16",
                role="po_adviseur",
                person_id="HB-0901",
                approve=True,
            )
        )
    record(
        "bypass",
        variant="16 direct database insert of a second decision",
        refused=_decisions(rt, "OF-16") == 1,
        audited=None,
        error="IntegrityError",
    )
    assert _decisions(rt, "OF-16") == 1


@pytest.mark.usefixtures("prefect_harness")
def test_rec_9_resuming_the_waiting_flow_from_the_prefect_ui_does_not_approve(people: Any):
    """Variant 17: "approved" typed into the paused four-eyes run's resume form changes nothing."""
    import threading
    import time

    from prefect.client.orchestration import get_client
    from prefect.flow_runs import resume_flow_run

    from poflow.approvals.requests import approval_outcome
    from poflow.flows.approval import await_four_eyes

    rt = people
    required = {"leidinggevende": "HB-0004", "po_adviseur": "HB-0002"}
    result: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: result.update(
            outcome=await_four_eyes(
                "offer", "OF-17", "hardenberg", required, timeout_days=1, poll_seconds=1
            )
        ),
        daemon=True,
    )
    runner.start()

    def paused_run() -> Any:
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

        # Filter on the server: the shared harness holds every other test's runs too.
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    name=FlowRunFilterName(any_=["four-eyes-offer-OF-17"])
                )
            )
        return runs[0] if runs and runs[0].state.is_paused() else None

    def wait_paused(timeout: float = 30.0) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if (run := paused_run()) is not None:
                return run
            time.sleep(0.2)
        raise AssertionError("the four-eyes run did not pause")

    run = wait_paused()
    before = _audits(rt, "approval.approved", "approval.decided")
    resume_flow_run(run.id, run_input={"outcome": "approved"})  # what the UI's form sends
    time.sleep(1.5)
    again = wait_paused()
    with rt.factory() as session:
        still = approval_outcome(session, "offer", "OF-17").value
    refused = still == "pending" and "outcome" not in result and _decisions(rt, "OF-17") == 0
    record(
        "bypass",
        variant="17 paused four-eyes run resumed from the Prefect UI as approved",
        refused=refused,
        audited=None,
        error="run paused again, outcome pending",
    )
    assert refused
    assert again.id == run.id
    assert _audits(rt, "approval.approved", "approval.decided") == before
    # the real decisions end the run: both people decide, then the run is resumed
    for role, person in required.items():
        _decide(rt, "OF-17", role, person)
    resume_flow_run(run.id, run_input={"outcome": "approved"})
    runner.join(timeout=30)
    assert result.get("outcome") == "approved"
