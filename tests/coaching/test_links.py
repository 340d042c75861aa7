"""The coach's link forms through poflow's web layer (LBC-1..3): the page, the post, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from poflow.coaching.links import register_link
from poflow.coaching.models import CoachingRegistration
from poflow.runtime import today
from poflow.web.service import LinkPages
from tests.web.support import subject_viewer

FORM = {
    "employee_name": "Fenna Fictiefsma",
    "registered_on": "2026-11-02",
    "domain": "Maatschappelijk domein",
    "reason": "2",
    "source": "Intranet of nieuwsbrief",
    "manager_consent": "nee",
    "goal1_text": "Advies over een opleiding",
}


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the database is not the subject here."""
    return sqlite_url


def _post(pages: LinkPages, token: str, form: dict[str, str]) -> Any:
    viewer = subject_viewer(pages.runtime, token)  # the coach, logged in (the form needs it)
    page = pages.show(token, None, None, viewer)
    assert page.status == 200
    posted = {"csrf": [page.context["csrf"]], **{k: [v] for k, v in form.items()}}
    return page, pages.act(token, posted, page.nonce, None, viewer)


def test_lbc_1_the_coach_registers_through_the_link_page(example_data: Any) -> None:
    """The page lists the options; posting stores the registration for the link's coach only."""
    rt = example_data
    with rt.factory() as session, session.begin():
        url = register_link(rt.context(session, "hardenberg", today()), "HB-0008")
    token = url.rsplit("/", 1)[-1]
    pages = LinkPages(rt)
    page, done = _post(pages, token, FORM)
    assert "Domeinen: 1. Bedrijfsvoering en concern" in page.context["description"]
    assert done.context["ok"], done.context
    assert done.context["message"] == "Aanmelding 2026-001 is vastgelegd."
    _, again = _post(pages, token, {**FORM, "employee_name": "Gijs Fictief"})  # reusable form
    assert again.context["message"] == "Aanmelding 2026-002 is vastgelegd."
    _, refused = _post(pages, token, {**FORM, "domain": "Sterrenkunde"})
    assert refused.status == 409
    assert "Onbekende domein 'Sterrenkunde'" in refused.context["message"]
    with rt.factory() as session:
        rows = session.scalars(select(CoachingRegistration)).all()
    assert [(r.coach_id, r.domain, r.reason, r.source) for r in rows] == [
        ("HB-0008", "maatschappelijk", "ontwikkeladvies", "intranet")
    ] * 2
