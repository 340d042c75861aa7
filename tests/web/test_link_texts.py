"""What a link page says (issue 22 item 7): the action named before the click, what was recorded
by whom and when after it, and the same on a link used before (X-1, X-4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.models import AuditEntry, Step
from poflow.kernel.wording import moment_nl
from poflow.links import ActionLink, link_url
from poflow.web import create_app
from tests.web.support import (
    checkin_record_link,
    csrf_of,
    heading,
    login_for_link,
    path_of,
)

DUTCH_MOMENT = re.compile(
    r"(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} [a-z]+ \d{4} "
    r"om \d{2}:\d{2} uur"
)


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c


def _press(client: TestClient, path: str, **form: str) -> Any:
    page = client.get(path)
    return client.post(path, data={"csrf": csrf_of(page.text), **form})


def _used_at(rt: Any, path: str) -> str:
    with rt.factory() as session:
        row = session.scalars(select(ActionLink).where(ActionLink.used_at.is_not(None))).one()
        return moment_nl(row.used_at.astimezone(ZoneInfo("Europe/Amsterdam")))


def test_x_1_the_confirmation_names_the_action_and_the_result_says_who_recorded_it_when(
    hardenberg: Any, client: TestClient
):
    """The check-in page is headed by the action to do; after the button it says what was
    recorded, by Dirk Mulder, on which Dutch day and time."""
    path = path_of(checkin_record_link(hardenberg))
    login_for_link(client, path)
    before = client.get(path)
    assert heading(before.text) == "Gevoerd bijpraatmoment vastleggen"
    assert "Vastgelegd" not in before.text
    assert "maand(en)" not in before.text
    assert "bij praat moment" not in before.text
    assert not re.search(r"\d{2}-\d{2}-\d{4}", before.text)
    done = _press(client, path, notitie="Goed gesprek")
    assert heading(done.text) == "Vastgelegd"
    expected = (
        f"Vastgelegd door Dirk Mulder op {_used_at(hardenberg, path)}: "
        "bijpraatmoment vastgelegd als gehouden."
    )
    assert expected in done.text
    assert DUTCH_MOMENT.search(done.text)


def test_x_1_a_used_link_says_what_was_recorded_by_whom_and_when(
    hardenberg: Any, client: TestClient
):
    """Opening a used link names what it recorded, the person (from the link.used audit row,
    X-4) and the moment (the link's used_at) instead of only "nothing changed"."""
    path = path_of(checkin_record_link(hardenberg))
    login_for_link(client, path)
    assert heading(_press(client, path).text) == "Vastgelegd"
    again = client.get(path)
    assert again.status_code == 410
    assert heading(again.text) == "Deze link is al gebruikt"
    said = (
        f"Op {_used_at(hardenberg, path)} heeft Dirk Mulder met deze link vastgelegd: "
        "bijpraatmoment vastgelegd als gehouden."
    )
    assert said in again.text
    with hardenberg.factory() as session:  # the name comes from the audit row's actor
        used = session.scalars(select(AuditEntry).where(AuditEntry.action == "link.used")).one()
        assert used.actor == "HB-0004"


def test_onb_3_the_digest_item_page_says_afvinken_before_and_afgevinkt_after(
    hardenberg: Any, client: TestClient
):
    """The digest's link page is headed "Punt afvinken: ‘item’ voor hire", not "afgerond",
    until the button is pressed."""
    hardenberg.plan("hardenberg", date(2027, 1, 4))
    with hardenberg.factory() as session, session.begin():
        step = session.scalars(
            select(Step)
            .where(Step.process == "onb", Step.case_id == "NH-2027-001")
            .where(Step.owner_id.is_not(None))
            .order_by(Step.id)
        ).first()
        assert step is not None
        title, owner = step.title, step.owner_id
        ctx = hardenberg.context(session, "hardenberg", date(2027, 1, 4))
        url = link_url(
            ctx,
            action="onb.item_done",
            case_type="hire",
            case_id="NH-2027-001",
            subject_id=owner,
            step_id=step.id,
        )
    path = path_of(url)
    before = client.get(path)
    assert heading(before.text).startswith(f"Punt afvinken: ‘{title}’ voor ")
    assert "afgerond" not in heading(before.text)
    done = _press(client, path)
    assert heading(done.text) == "Vastgelegd"
    assert f"punt afgevinkt (‘{title}’ voor " in done.text
