"""Bypass attempts on the WS-REC workspace pages (issue 21, items 5 and 6; REC-9, X-4), on
SQLite and PostgreSQL, through the real web app: none opens a round or records attendance.

1. a cross-site POST of the wervingsbehoefte form (right CSRF value and all);
2. a POST of the wervingsbehoefte form without its CSRF value;
3. a colleague without the P&O or recruiter role posting the form with a valid CSRF value;
4. a P&O adviser of another municipality opening a Hardenberg round's page;
5. a leidinggevende posting attendance with a valid CSRF value;
6. a P&O adviser posting attendance for another municipality's session;
7. the board giving anyone but the asked person a decision link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from poflow.db.models import Person, PersonRole
from poflow.introduction.models import SessionParticipant
from poflow.introduction.states import ParticipationStatus
from poflow.recruitment.models import RecruitmentRound
from poflow.web import create_app
from tests.recruitment.support import open_round as open_example_round
from tests.reliability.support import record
from tests.web.support import login_as, refused_requests
from tests.web.test_werkplek_rec_pages import _purpose_csrf, _session, form_csrf_of
from tests.web.test_werving_pages import NEED

EVIL = "https://evil.example"
PO, GS, MANAGER, OTHER, FOREIGN = "HB-0002", "HB-0001", "HB-0004", "HB-0007", "KB-9101"


@pytest.fixture
def web(example_data: Any) -> Iterator[TestClient]:
    """The web app on this test's database with the example staff and hires, and a P&O
    adviser of Kaag en Braassem."""
    with example_data.factory() as session, session.begin():
        session.add(
            Person(
                id=FOREIGN,
                municipality="kaag-en-braassem",
                given_name="Mila",
                family_name="Vos",
                team="P&O",
                email="mila.vos@kaag-en-braassem.example.nl",
            )
        )
        session.flush()
        session.add(
            PersonRole(person_id=FOREIGN, municipality="kaag-en-braassem", role="po_adviseur")
        )
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def _rounds(rt: Any) -> int:
    with rt.factory() as session:
        return session.scalar(select(func.count()).select_from(RecruitmentRound)) or 0


def _status(rt: Any, session_id: int) -> ParticipationStatus:
    with rt.factory() as session:
        return session.scalars(
            select(SessionParticipant.status).where(SessionParticipant.session_id == session_id)
        ).one()


def test_nobody_opens_a_round_around_the_form(example_data: Any, web: TestClient):
    """Attacks 1-3: a cross-site POST and a POST without the CSRF value are refused and
    audited; a colleague without the role is refused even with a valid value."""
    login_as(web, example_data, PO)
    page = web.get("/werving/nieuw")
    csrf = form_csrf_of(page.text, "/werving/nieuw")
    attempts = (
        ("1 cross-site POST of the wervingsbehoefte form", PO, {"csrf": csrf}, {"Origin": EVIL}),
        ("2 wervingsbehoefte form without its CSRF value", PO, {}, {}),
        ("3 colleague without the role posts the form", OTHER, None, {}),
    )
    for variant, person, extra, headers in attempts:
        login_as(web, example_data, person)
        if extra is None:  # a CSRF value valid for this person's own session
            extra = {"csrf": _purpose_csrf(web, example_data, "werving:nieuw")}
        before = len(refused_requests(example_data))
        answer = web.post("/werving/nieuw", data={**NEED, **extra}, headers=headers)
        refused = answer.status_code == 403 and _rounds(example_data) == 0
        audited = len(refused_requests(example_data)) > before if person == PO else None
        record("bypass", variant=variant, refused=refused, audited=audited, error="HTTP 403")
        assert refused, answer.status_code
        assert audited in (True, None)


def test_rounds_and_sessions_stay_in_their_municipality_and_with_po(
    example_data: Any, web: TestClient
):
    """Attacks 4-6: another municipality's P&O adviser gets 404 for a round and a session; a
    leidinggevende's attendance POST is refused; nothing changes."""
    round_id = open_example_round(example_data, formation_change=False)
    session_id = _session(
        example_data, "hardenberg", -1, {"NH-2027-001": ParticipationStatus.INVITED}
    )
    login_as(web, example_data, FOREIGN)
    seen = web.get(f"/werving/{round_id}")
    record(
        "bypass",
        variant="4 another municipality's P&O adviser opens a round",
        refused=seen.status_code == 404 and round_id not in seen.text,
        audited=None,
        error=f"HTTP {seen.status_code}",
    )
    assert seen.status_code == 404
    for variant, person, expected in (
        ("5 a leidinggevende posts attendance", MANAGER, 403),
        ("6 another municipality's P&O adviser posts attendance", FOREIGN, 404),
    ):
        login_as(web, example_data, person)
        csrf = _purpose_csrf(web, example_data, f"introductie:{session_id}")
        answer = web.post(
            f"/introductie/{session_id}",
            data={"csrf": csrf, "medewerker": "NH-2027-001", "aanwezig": "ja"},
        )
        refused = (
            answer.status_code == expected
            and _status(example_data, session_id) is ParticipationStatus.INVITED
        )
        record("bypass", variant=variant, refused=refused, audited=None, error=f"HTTP {expected}")
        assert refused, answer.status_code


def test_rec_9_the_board_gives_a_decision_link_only_to_the_asked_person(
    example_data: Any, web: TestClient
):
    """Attack 7: P&O, the leidinggevende and the panel colleague see the formation round
    without any decision link; only the gemeentesecretaris asked gets theirs."""
    round_id = open_example_round(example_data, formation_change=True)
    leaked = []
    for person in (PO, MANAGER, "HB-0005"):
        login_as(web, example_data, person)
        page = web.get(f"/werving/{round_id}")
        leaked += re.findall(r'href="(/a/[^"]+)"', page.text)
    login_as(web, example_data, GS)
    own = re.findall(r'href="(/a/[^"]+)"', web.get(f"/werving/{round_id}").text)
    record(
        "bypass",
        variant="7 the board shows a decision link to someone not asked",
        refused=not leaked and len(own) == 1,
        audited=None,
        error="no link",
    )
    assert leaked == []
    assert len(own) == 1
