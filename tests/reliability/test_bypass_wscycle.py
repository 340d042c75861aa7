"""Bypass attempts on the workspace's conversation-cycle and introduction forms (issue 21, item
6; GES-1, GES-5, INT-1, INT-4, X-4), on SQLite and PostgreSQL, through the real web app. Each
of four forms (start a cycle, plan an extra appraisal, enrol a hire, upload e-learning
completions) is attacked four ways, and none changes anything:

1. a cross-site POST (foreign Origin, right CSRF value and all): refused and audited;
2. a POST without its CSRF value: refused and audited;
3. a colleague without the P&O role posting with a CSRF value valid for their own session;
4. a P&O adviser of another municipality posting to a Hardenberg case (404 as unknown), or
   uploading Hardenberg's completions (rejected: no such hire in their municipality).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from poflow.conversations.models import GesCycle, LegalDecision
from poflow.db.models import Person, PersonRole, Step
from poflow.introduction.models import Enrolment
from poflow.introduction.planner import enrol
from poflow.kernel.calendar import today
from poflow.states import StepState
from poflow.web import create_app
from tests.reliability.support import record
from tests.web.support import login_as, refused_requests
from tests.web.test_werkplek_rec_pages import _purpose_csrf

EVIL = "https://evil.example"
PO, OTHER, FOREIGN = "HB-0002", "HB-0007", "KB-9101"
COLLEAGUE, STAGE, INHUUR = "HB-0005", "NH-2027-003", "NH-2027-004"


@pytest.fixture
def web(example_data: Any) -> Iterator[TestClient]:
    """The web app on this test's database with the example staff and hires, a P&O adviser of
    Kaag en Braassem, and the inhuur hire enrolled (its e-learning open)."""
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
        ctx = example_data.context(session, "hardenberg", today(), actor=PO)
        enrol(ctx, INHUUR, by=PO, variant="volledig")
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def _count(rt: Any, model: Any) -> int:
    with rt.factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _elearning_open(rt: Any) -> bool:
    with rt.factory() as session:
        step = session.scalars(
            select(Step).where(Step.case_id == INHUUR, Step.key == "int:elearning:werken_bij")
        ).one()
        return step.state is StepState.OPEN


DAY = (today() + timedelta(days=30)).isoformat()
CSV = f"hire_id,module,completed_on\n{INHUUR},werken_bij,{today().isoformat()}\n".encode()
# (form, path, purpose, fields, files, nothing changed, the answer of another municipality)
FORMS: tuple[tuple[str, str, str, dict[str, str], Any, Callable[[Any], bool], int], ...] = (
    (
        "start a conversation cycle",
        f"/gesprekken/{COLLEAGUE}/starten",
        f"gesprekken:{COLLEAGUE}",
        {
            "start_datum": DAY,
            "start_leidinggevende": "HB-0004",
            "start_in_dienst": "2015-01-01",
        },
        None,
        lambda rt: _count(rt, GesCycle) == 0,
        404,
    ),
    (
        "plan an extra appraisal",
        f"/gesprekken/{COLLEAGUE}/extra",
        f"gesprekken:{COLLEAGUE}",
        {"extra_reden": "vast", "extra_datum": DAY, "extra_leidinggevende": "HB-0004"},
        None,
        lambda rt: _count(rt, LegalDecision) == 0,
        404,
    ),
    (
        "enrol a hire in the introduction",
        f"/introductie/medewerker/{STAGE}/aanmelden",
        f"introductie:medewerker:{STAGE}",
        {"variant": ""},
        None,
        lambda rt: _count(rt, Enrolment) == 1,
        404,
    ),
    (
        "upload e-learning completions",
        "/introductie/elearning",
        "introductie:elearning",
        {},
        {"bestand": ("leerplatform.csv", CSV)},
        _elearning_open,
        422,
    ),
)


@pytest.mark.parametrize("form", FORMS, ids=[f[0] for f in FORMS])
def test_nobody_changes_a_cycle_or_programme_around_the_forms(
    example_data: Any, web: TestClient, form: Any
):
    """Attacks 1-4 on one form: each is refused, the CSRF and Origin refusals are audited, and
    nothing changes."""
    name, path, purpose, fields, files, unchanged, foreign_answer = form
    attempts = (
        (f"1 cross-site POST: {name}", PO, True, {"Origin": EVIL}, 403),
        (f"2 POST without its CSRF value: {name}", PO, False, {}, 403),
        (f"3 a colleague without the P&O role: {name}", OTHER, True, {}, 403),
        (f"4 a P&O adviser of another municipality: {name}", FOREIGN, True, {}, foreign_answer),
    )
    for variant, person, with_csrf, headers, expected in attempts:
        login_as(web, example_data, person)
        data = dict(fields)
        if with_csrf:
            data["csrf"] = _purpose_csrf(web, example_data, purpose)
        before = len(refused_requests(example_data))
        answer = web.post(path, data=data, files=files, headers=headers, follow_redirects=False)
        refused = answer.status_code == expected and unchanged(example_data)
        audited = len(refused_requests(example_data)) > before if headers or not with_csrf else None
        record(
            "bypass", variant=variant, refused=refused, audited=audited, error=f"HTTP {expected}"
        )
        assert refused, (variant, answer.status_code)
        assert audited in (True, None), variant
