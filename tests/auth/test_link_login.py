"""Tests of decisions through links needing the logged-in person they belong to (issue 20,
item 2): to login and back, someone else refused and audited, the action audited as the viewer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.models import AuditEntry
from poflow.web import create_app
from tests.web.support import (
    TEST_PASSWORD,
    checkin_record_link,
    csrf_of,
    heading,
    login_as,
    path_of,
    refused_requests,
    snapshot,
)


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the real web app on this test's database."""
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c


def test_x_4_a_decision_link_without_a_session_goes_through_login_and_back(
    hardenberg: Any, client: TestClient
):
    """GET and POST of a check-in link without a session answer 303 to the login page and
    change nothing; after logging in Dirk lands on the link page and records the talk as himself."""
    link = path_of(checkin_record_link(hardenberg))
    before = snapshot(hardenberg)
    shown = client.get(link, follow_redirects=False)
    posted = client.post(link, data={"csrf": "0" * 64}, follow_redirects=False)
    for answer in (shown, posted):
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/inloggen?next={link}"
    assert snapshot(hardenberg) == before
    login_as(client, hardenberg, "HB-0004")  # gives Dirk his password; logs in once
    client.cookies.clear()
    form = client.get(f"/inloggen?next={link}")
    answer = client.post(
        "/inloggen",
        data={
            "csrf": csrf_of(form.text),
            "personeelsnummer": "HB-0004",
            "wachtwoord": TEST_PASSWORD,
            "next": link,
        },
    )
    assert heading(answer.text) == "Gevoerd bijpraatmoment vastleggen"
    done = client.post(link, data={"csrf": csrf_of(answer.text)})
    assert heading(done.text) == "Vastgelegd"
    with hardenberg.factory() as db:
        used = db.scalars(select(AuditEntry).where(AuditEntry.action == "link.used")).one()
    assert used.actor == "HB-0004"


def test_x_4_someone_else_logged_in_is_refused_and_audited(hardenberg: Any, client: TestClient):
    """P&O (HB-0002), logged in, cannot use Dirk's check-in link: "Deze link is voor iemand
    anders", nothing changes, and the refusal is counted and audited as other_person."""
    link = path_of(checkin_record_link(hardenberg))
    login_as(client, hardenberg, "HB-0002")
    before = snapshot(hardenberg)
    page = client.get(link)
    assert page.status_code == 403
    assert heading(page.text) == "Deze link is voor iemand anders"
    assert client.post(link, data={"csrf": "0" * 64}).status_code == 403
    after = snapshot(hardenberg)
    for table in ("audit", "refusal_tally"):
        after.pop(table), before.pop(table)
    assert after == before
    assert [r["reason"] for r in refused_requests(hardenberg)] == ["other_person"] * 2


def test_an_acknowledgement_link_stays_link_only(hardenberg: Any):
    """The action kinds that may stay link-only are exactly the low-risk acknowledgements."""
    link_only = {
        name for name, action in hardenberg.registry.link_actions.items() if not action.needs_login
    }
    assert link_only == {
        "rec.contract_opgesteld",  # a task done, like a checklist item (README's table)
        "int.sessie_ja",
        "int.sessie_nee",
        "int.aanwezig",
        "int.afwezig",
        "int.item_afgerond",
        "onb.item_done",
        "onb.eerste_dag",  # the new colleague before day one: no login yet (README's table)
        "ges.pop",
        "rec.interview.accept",
        "rec.interview.decline",
        "login.activeren",  # the person chooses their password: no working login yet (README)
    }
