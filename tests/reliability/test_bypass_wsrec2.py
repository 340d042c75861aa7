"""Bypass attempts on a round's step pages (issue 21, item 5; REC-3, REC-11, X-4), on SQLite and
PostgreSQL, through the real web app: none drafts the vacancy text or withdraws the round.

1. a cross-site POST of the vacancy text form (right CSRF value and all);
2. a POST of the vacancy text form without its CSRF value;
3. a colleague without a part in the round posting the text with a valid CSRF value (404);
4. another P&O adviser of the municipality withdrawing the round with a valid CSRF value;
5. a P&O adviser of another municipality posting the text with a valid CSRF value;
6. the vacancy text's CSRF value replayed on the withdrawal form.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.models import AuditEntry, Person, PersonRole
from poflow.recruitment.models import RecruitmentRound
from poflow.web import create_app
from tests.recruitment.support import open_round as open_example_round
from tests.reliability.support import record
from tests.web.support import login_as, refused_requests
from tests.web.test_werkplek_rec_pages import _purpose_csrf
from tests.web.test_werving_steps import csrf_for

EVIL = "https://evil.example"
PO, PO2, OTHER, FOREIGN = "HB-0002", "HB-0003", "HB-0007", "KB-9101"
TEXT = {"tekst": "Wij zoeken een beleidsadviseur wonen met hart voor de kernen van de gemeente."}


@pytest.fixture
def web(example_data: Any) -> Iterator[TestClient]:
    """The web app on this test's database with the example staff, and a P&O adviser of
    Kaag en Braassem."""
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


def _unchanged(rt: Any, rid: str) -> bool:
    """The round is still drafting, at version 0, with no step audited about it."""
    with rt.factory() as session:
        rnd = session.get(RecruitmentRound, rid)
        moved = session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.entity_id == rid, AuditEntry.action == "round.moved"
            )
        ).all()
    return (
        rnd is not None and rnd.state.value == "drafting" and not rnd.vacancy_version and not moved
    )


def test_nobody_takes_a_rounds_step_around_its_page(example_data: Any, web: TestClient):
    """Attacks 1-6: cross-site, CSRF-less and replayed POSTs are refused and audited; a person
    without the step (not the round's P&O adviser, or of another municipality) is refused even
    with a valid CSRF value; the round never moves."""
    rid = open_example_round(example_data, formation_change=False)
    text_url, cancel_url = f"/werving/{rid}/vacaturetekst", f"/werving/{rid}/intrekken"
    login_as(web, example_data, PO)
    csrf = csrf_for(web.get(text_url).text, text_url)
    attempts = (
        ("1 cross-site POST of the vacancy text", PO, text_url, {"csrf": csrf}, {"Origin": EVIL}),
        ("2 vacancy text without its CSRF value", PO, text_url, {}, {}),
        ("3 a colleague posts the round's vacancy text", OTHER, text_url, None, {}),
        ("4 another P&O adviser withdraws the round", PO2, cancel_url, None, {}),
        ("5 P&O of another municipality posts the text", FOREIGN, text_url, None, {}),
        ("6 the text's CSRF value on the withdrawal", PO, cancel_url, {"csrf": csrf}, {}),
    )
    for variant, person, url, extra, headers in attempts:
        login_as(web, example_data, person)
        if extra is None:  # a CSRF value valid for this person's own session and this form
            purpose = f"werving:{url.rsplit('/', 1)[-1]}:{rid}"
            extra = {"csrf": _purpose_csrf(web, example_data, purpose)}
        elif person == PO and variant.startswith("6"):
            extra = {"csrf": csrf}  # from the session before this login: stale and other-form
        before = len(refused_requests(example_data))
        answer = web.post(url, data={**TEXT, "zeker": "ja", **extra}, headers=headers)
        expected = 404 if person in {FOREIGN, OTHER} else 403  # a round not theirs is unknown
        refused = answer.status_code == expected and _unchanged(example_data, rid)
        csrf_attack = variant[0] in "126"
        audited = len(refused_requests(example_data)) > before if csrf_attack else None
        record(
            "bypass", variant=variant, refused=refused, audited=audited, error=f"HTTP {expected}"
        )
        assert refused, (variant, answer.status_code)
        assert audited in (True, None), variant
