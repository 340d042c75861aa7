"""Bypass attempts on the logins P&O manages in the workspace (issue 21, /gebruikers; REC-9
four eyes on access, X-4), on SQLite and PostgreSQL, through the real web app: none gives,
resets or disables a login, and none mails an activation link.

1. a POST without the form's CSRF value;
2. a POST from another site (a foreign Origin) with a valid CSRF value;
3. a colleague without the P&O role;
4. a P&O adviser changing another municipality's person;
5. a P&O adviser giving, resetting or disabling their own login.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from poflow.db.models import AuditEntry, Person
from poflow.web import create_app
from tests.reliability.support import record
from tests.web.support import add_person, login_as, refused_requests, snapshot
from tests.web.test_workspace_users import page_csrf

PO, NEW, THEIRS = "HB-9401", "HB-9402", "KB-9401"
EVIL = "https://evil.example"
# What a login change writes (its audit rows aside, which a refusal writes too).
TABLES = {"login", "login_session", "action_link", "outbox"}


@pytest.fixture
def web(runtime: Any) -> Iterator[TestClient]:
    """The web app, logged in as a P&O adviser of Hardenberg; a colleague without a login, and
    a person of Kaag en Braassem."""
    add_person(runtime, PO, ["po_adviseur"], "Lotte", "Smit")
    add_person(runtime, NEW, [], "Youssef", "Amrani")
    with runtime.factory() as s, s.begin():
        s.add(
            Person(
                id=THEIRS,
                municipality="kaag-en-braassem",
                given_name="Iris",
                family_name="Kok",
                team="Burgerzaken",
                email="iris.kok@kaag.example.nl",
                created_at=datetime(2027, 1, 4, tzinfo=UTC),
            )
        )
    with TestClient(create_app(runtime.settings)) as client:
        login_as(client, runtime, PO)
        yield client


def written(rt: Any) -> dict[str, Any]:
    """The rows a login change would write, sessions left out of the comparison's reach only
    in their last use (a page view touches it)."""
    rows = {k: v for k, v in snapshot(rt).items() if k in TABLES}
    rows["login_session"] = [r[:5] for r in rows["login_session"]]
    return rows


def sent(rt: Any) -> int:
    with rt.factory() as s:
        query = select(func.count()).select_from(AuditEntry)
        return s.scalar(query.where(AuditEntry.action == "login.activation_sent")) or 0


def test_x_4_a_login_change_without_csrf_is_refused(runtime: Any, web: TestClient):
    """A POST without (or with a made-up) CSRF value is refused, counted and audited."""
    before = written(runtime)
    answers = [
        web.post(f"/gebruikers/{NEW}/activeren", data={}),
        web.post(f"/gebruikers/{NEW}/activeren", data={"csrf": "0" * 64}),
    ]
    refused = [a.status_code for a in answers] == [403, 403] and written(runtime) == before
    audited = [r["reason"] for r in refused_requests(runtime)] == ["csrf", "csrf"]
    record(
        "bypass",
        variant="wsusers 1 login change without CSRF",
        refused=refused and sent(runtime) == 0,
        audited=audited,
        error="403 csrf",
    )
    assert refused
    assert audited


def test_x_4_a_login_change_from_another_site_is_refused(runtime: Any, web: TestClient):
    """A cross-site POST carrying a valid CSRF value is refused by its Origin."""
    csrf = page_csrf(web)
    before = written(runtime)
    answer = web.post(f"/gebruikers/{NEW}/activeren", data={"csrf": csrf}, headers={"Origin": EVIL})
    refused = answer.status_code == 403 and written(runtime) == before and sent(runtime) == 0
    audited = [r["reason"] for r in refused_requests(runtime)] == ["origin"]
    record(
        "bypass",
        variant="wsusers 2 login change from another site",
        refused=refused,
        audited=audited,
        error="403 origin",
    )
    assert refused
    assert audited


def test_rec_9_a_colleague_without_the_p_and_o_role_changes_no_login(runtime: Any, web: TestClient):
    """Someone without the P&O role sees no list and changes no login, even with a CSRF value
    of their own session."""
    with TestClient(create_app(runtime.settings)) as other:
        login_as(other, runtime, NEW)
        listed = other.get("/gebruikers")
        csrf = page_csrf(web)  # a P&O adviser's value: bound to another session
        before = written(runtime)
        posted = other.post(f"/gebruikers/{PO}/uitschakelen", data={"csrf": csrf})
        refused = (
            listed.status_code == 403
            and posted.status_code == 403
            and "Inloggen van medewerkers" not in listed.text
            and written(runtime) == before
        )
    record(
        "bypass",
        variant="wsusers 3 login change by a colleague without the P&O role",
        refused=refused,
        audited=None,
        error="403",
    )
    assert refused


def test_x_4_another_municipality_s_person_is_unknown(runtime: Any, web: TestClient):
    """A P&O adviser of Hardenberg cannot give, reset or disable a login of Kaag en
    Braassem's staff: 404 as for an unknown person, audited, nothing mailed."""
    csrf = page_csrf(web)
    before = written(runtime)
    codes = [
        web.post(f"/gebruikers/{THEIRS}/{actie}", data={"csrf": csrf}).status_code
        for actie in ("activeren", "uitschakelen", "deblokkeren")
    ]
    listed = THEIRS not in web.get("/gebruikers").text
    refused = codes == [404] * 3 and listed and written(runtime) == before and sent(runtime) == 0
    with runtime.factory() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "login.change_refused")
        ).all()
    audited = [(r.actor, r.entity_id, r.detail["reason"]) for r in rows] == [
        (PO, THEIRS, "unknown")
    ] * 3
    record(
        "bypass",
        variant="wsusers 4 another municipality's person",
        refused=refused,
        audited=audited,
        error="404",
    )
    assert refused, codes
    assert audited


def test_rec_9_a_p_and_o_adviser_cannot_change_their_own_login(runtime: Any, web: TestClient):
    """Four eyes on access: giving, resetting, disabling or unlocking one's own login is
    refused (a colleague does it), audited, nothing changed or mailed."""
    csrf = page_csrf(web)
    before = written(runtime)
    codes = [
        web.post(f"/gebruikers/{PO}/{actie}", data={"csrf": csrf}).status_code
        for actie in ("activeren", "uitschakelen", "deblokkeren")
    ]
    refused = codes == [403] * 3 and written(runtime) == before and sent(runtime) == 0
    with runtime.factory() as s:
        reasons = s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "login.change_refused")
        ).all()
    audited = len(reasons) == 3
    record(
        "bypass",
        variant="wsusers 5 a P&O adviser's own login",
        refused=refused,
        audited=audited,
        error="AccessRefused",
    )
    assert refused, codes
    assert audited
