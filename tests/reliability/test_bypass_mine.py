"""Bypass attempts on 'Mijn werk' and on the new colleague's page before day one (issue 21,
items 4 and 8): none succeeds; the link page's refusals are audited (X-4).

The variants tried:

1. another person's checklist item opened through /werk/punt (issues nothing);
2. another person's mailed link opened through /werk/link;
3. /werk/punt and /werk/link without a session;
4. the page link of the welcome mail replayed after the confirmation;
5. the page link after its expiry;
6. a forged page link;
7. a cross-site POST to the page (another site's form, no CSRF value).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from poflow.db.models import AuditEntry, Step
from poflow.link_tokens import read_token
from poflow.links import ActionLink
from poflow.runtime import run_day
from poflow.states import StepState
from poflow.web import create_app
from tests.reliability.support import record
from tests.web.support import FORGED, csrf_of, link_in_mail, login_as, path_of, refused_requests

HB = "hardenberg"
ICT, FACILITAIR = "HB-0009", "HB-0010"


@pytest.fixture
def web(example_data: Any, smtp: Any) -> Iterator[TestClient]:
    """The web app after the dispatcher planned the example hires and sent Lotte's welcome."""
    run_day(example_data, date(2027, 1, 4), municipality=HB)
    run_day(example_data, date(2027, 1, 25), municipality=HB)
    with TestClient(create_app(example_data.settings)) as client:
        yield client


def _count(rt: Any, model: Any) -> int:
    with rt.factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _refused(rt: Any, reason: str) -> int:
    return sum(1 for r in refused_requests(rt) if r["reason"] == reason)


def test_x_4_my_work_opens_nothing_of_another_person(example_data: Any, web: TestClient):
    """Another person's item or link, or none without a session: 404 or the login page, and no
    link is issued."""
    rt = example_data
    with rt.factory() as session:
        item = session.scalar(
            select(Step.id).where(
                Step.owner_id.is_(None),
                Step.owner_role == "facilitair",
                Step.state == StepState.OPEN,
            )
        )
        link = session.scalar(
            select(ActionLink.public_id).where(ActionLink.subject_id == FACILITAIR)
        )
    assert item is not None
    assert link is not None
    links = _count(rt, ActionLink)
    for variant, path in (
        ("mine 3 item without a session", f"/werk/punt/{item}"),
        ("mine 3 link without a session", f"/werk/link/{link}"),
    ):
        answer = web.get(path, follow_redirects=False)
        refused = answer.status_code == 303 and answer.headers["location"].startswith("/inloggen")
        record("bypass", variant=variant, refused=refused, audited=None, error="login_redirect")
        assert refused
    login_as(web, rt, ICT)
    for variant, path in (
        ("mine 1 another person's item", f"/werk/punt/{item}"),
        ("mine 2 another person's mailed link", f"/werk/link/{link}"),
    ):
        answer = web.get(path, follow_redirects=False)
        refused = answer.status_code == 404 and _count(rt, ActionLink) == links
        record("bypass", variant=variant, refused=refused, audited=None, error="not_found")
        assert refused


def test_x_4_the_page_before_day_one_refuses_replay_expiry_forgery_and_other_sites(
    example_data: Any, web: TestClient, smtp: Any
):
    """The welcome mail's page link records one confirmation; a replay, an expired or forged
    link and a cross-site POST are refused and audited, and record nothing more."""
    rt = example_data
    welcome = next(
        m for m in smtp.to("lotte.hendriks@example.org") if "Welkom bij" in str(m["Subject"])
    )
    path = path_of(link_in_mail(welcome))
    page = web.get(path)
    csrf = csrf_of(page.text)

    def confirmations() -> int:
        with rt.factory() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.action == "hire.details_confirmed")
                )
                or 0
            )

    cross = web.post(path, data={"klopt": "ja"}, headers={"Origin": "https://evil.example"})
    refused = cross.status_code == 403 and confirmations() == 0
    audited = _refused(rt, "origin") == 1
    record(
        "bypass", variant="mine 7 cross-site POST", refused=refused, audited=audited, error="origin"
    )
    assert refused
    assert audited
    assert web.post(path, data={"csrf": csrf, "klopt": "ja"}).status_code == 200
    replay = web.post(path, data={"csrf": csrf, "klopt": "ja"})
    refused = replay.status_code == 410 and confirmations() == 1
    audited = _refused(rt, "used") == 1
    record(
        "bypass",
        variant="mine 4 replay after confirming",
        refused=refused,
        audited=audited,
        error="used",
    )
    assert refused
    assert audited
    forged = web.get(f"/a/{FORGED}")
    refused, audited = forged.status_code == 400, _refused(rt, "forged") == 1
    record(
        "bypass",
        variant="mine 6 forged page link",
        refused=refused,
        audited=audited,
        error="forged",
    )
    assert refused
    assert audited
    public_id = read_token(rt.settings.signing_keys(), path.rsplit("/", 1)[-1])[0]
    with rt.factory() as session, session.begin():
        session.execute(
            update(ActionLink)
            .where(ActionLink.public_id == public_id)
            .values(used_at=None, expires_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    expired = web.get(path)
    refused = expired.status_code == 410 and "Esra Yilmaz" not in expired.text
    audited = _refused(rt, "expired") == 1
    record(
        "bypass",
        variant="mine 5 expired page link",
        refused=refused,
        audited=audited,
        error="expired",
    )
    assert refused
    assert audited
