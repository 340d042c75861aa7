"""Bypass attempts on a hire's actions in the workspace (issue 21, WS-ACTIONS): none changes the
hire, its steps, actions or mails, whoever posts and however.

Each of the five confirming POSTs (move the start date, cancel, an item done on behalf, a new
buddy, a new leidinggevende) is tried:

1. by the logged-in P&O adviser's browser without the form's CSRF value (a cross-site form);
2. with the form's own CSRF value but another site's Origin header;
3. by a logged-in colleague who is not P&O: Noor's own leidinggevende, who may read her page,
   even holding a valid CSRF value for the form (the strongest case: the role check alone);
4. by a P&O adviser of another municipality, also with a valid CSRF value: the hire is unknown
   to them (404).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from poflow.db.models import Hire, Person, PersonRole
from poflow.web import create_app
from poflow.web.guard import csrf_token
from poflow.web.identity import SESSION_COOKIE
from tests.reliability.support import record
from tests.web.actions_support import (
    NOOR,
    csrf_of,
    dmy,
    later_working_day,
    noor_starts_soon,
    open_item_of,
)
from tests.web.support import login_as, refused_requests
from tests.web.support import snapshot as every_row

OTHER_PO = "BO-9902"  # a fictional P&O adviser of Borger-Odoorn


@pytest.fixture
def noor(example_data: Any) -> Any:
    """Noor starts in a few working days, welcomed; a P&O adviser of another municipality."""
    noor_starts_soon(example_data)
    with example_data.factory() as db, db.begin():
        db.add(
            Person(
                id=OTHER_PO,
                municipality="borger-odoorn",
                given_name="Lies",
                family_name="Bakker",
                team="P&O",
                email="lies.bakker@borger-odoorn.example.nl",
            )
        )
        db.flush()
        db.add(PersonRole(person_id=OTHER_PO, municipality="borger-odoorn", role="po_adviseur"))
    return example_data


@pytest.fixture
def web(noor: Any) -> Iterator[TestClient]:
    with TestClient(create_app(noor.settings)) as client:
        yield client


def _actions(rt: Any) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Per action: its path, its form's purpose and a complete form (without CSRF)."""
    item = open_item_of(rt, "HB-0004")
    new = dmy(later_working_day(rt, noor_start(rt)))
    base = f"/medewerkers/{NOOR}"
    return {
        "move": (
            f"{base}/verplaatsen",
            f"verplaatsen:{NOOR}",
            {"datum": new, "stap": "bevestigen"},
        ),
        "cancel": (f"{base}/annuleren", f"annuleren:{NOOR}", {"reden": "Trekt zich terug"}),
        "on behalf": (
            f"{base}/items/{item}/namens",
            f"namens:{NOOR}:{item}",
            {"reden": "Dirk is ziek"},
        ),
        "new buddy": (f"{base}/buddy", f"buddy:{NOOR}", {"persoon": "HB-0007"}),
        "new leidinggevende": (
            f"{base}/leidinggevende",
            f"leidinggevende:{NOOR}",
            {"persoon": "HB-0006"},
        ),
    }


def noor_start(rt: Any) -> date:
    """Noor's start date now."""
    with rt.factory() as db:
        hire = db.get(Hire, NOOR)
        assert hire is not None
        return hire.start_date


def _case(rt: Any) -> dict[str, Any]:
    """Every row of the case tables (refusals are audited, so not the audit)."""
    return {k: v for k, v in every_row(rt).items() if k in ("hire", "step", "action", "outbox")}


def _valid_csrf(rt: Any, client: TestClient, purpose: str) -> str:
    """The form's CSRF value for this client's session, as the page would give it."""
    bound = hashlib.sha256(client.cookies.get(SESSION_COOKIE, "").encode()).hexdigest()[:32]
    return csrf_token(rt.settings.signing_keys()[0], f"werkplek:{purpose}:{bound}", "-")


def _try(rt: Any, client: TestClient, variant: str, expect: int, **how: Any) -> None:
    """Post each action as `how` says; each is refused with `expect` and changes nothing."""
    failures = []
    for name, (path, purpose, form) in _actions(rt).items():
        before, tallied = _case(rt), len(refused_requests(rt))
        data = dict(form)
        if how.get("csrf"):
            data["csrf"] = _valid_csrf(rt, client, purpose)
        answer = client.post(
            path, data=data, headers=how.get("headers", {}), follow_redirects=False
        )
        refused = answer.status_code == expect and _case(rt) == before
        audited = len(refused_requests(rt)) == tallied + 1 if how.get("tallied") else None
        record(
            "bypass",
            variant=f"workspace actions: {name} {variant}",
            refused=refused,
            audited=audited,
            error=str(answer.status_code),
        )
        if not refused or (how.get("tallied") and not audited):
            failures.append((name, answer.status_code))
    assert not failures


def test_x_4_a_hires_actions_posted_without_csrf_change_nothing(noor: Any, web: TestClient):
    """The P&O adviser's own browser posting without the form's CSRF value is refused (403)
    and the refusal is audited (X-4)."""
    login_as(web, noor, "HB-0002")
    _try(noor, web, "posted without CSRF (cross-site form)", 403, tallied=True)


def test_x_4_a_hires_actions_posted_from_another_site_change_nothing(noor: Any, web: TestClient):
    """With the form's CSRF value but another site's Origin, the POST is refused (403)."""
    login_as(web, noor, "HB-0002")
    headers = {"Origin": "https://aanvaller.example.org"}
    _try(noor, web, "with another site's Origin", 403, csrf=True, headers=headers, tallied=True)


def test_a_hires_actions_by_someone_not_po_change_nothing(noor: Any, web: TestClient):
    """Noor's own leidinggevende, with valid CSRF values, is refused every action (403)."""
    login_as(web, noor, "HB-0004")
    assert web.get(f"/medewerkers/{NOOR}").status_code == 200  # he may read her page
    _try(noor, web, "by a logged-in non-P&O colleague (her leidinggevende)", 403, csrf=True)


def test_a_hires_actions_by_po_of_another_municipality_change_nothing(noor: Any, web: TestClient):
    """A P&O adviser of Borger-Odoorn, with valid CSRF values, finds no such hire (404)."""
    login_as(web, noor, OTHER_PO)
    _try(noor, web, "by a P&O adviser of another municipality", 404, csrf=True)


def test_the_forms_csrf_value_is_the_one_the_page_gives(noor: Any, web: TestClient):
    """The attacks above hold a valid CSRF value: the one the form page renders."""
    login_as(web, noor, "HB-0002")
    page = web.get(f"/medewerkers/{NOOR}/annuleren")
    assert csrf_of(page.text) == _valid_csrf(noor, web, f"annuleren:{NOOR}")
