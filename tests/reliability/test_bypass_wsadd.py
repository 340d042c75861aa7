"""Bypass attempts on adding people in the workspace (issue 21, item 3; X-1, X-4), on SQLite and
PostgreSQL, through the real web app: none imports anything.

1. confirming another P&O adviser's upload (its hash and plan copied);
2. confirming a plan that was never shown (a forged plan hash);
3. a file whose rows are for another municipality;
4. a cross-site POST confirming an upload;
5. a confirmation without the form's CSRF value;
6. a manager posting the new-hire form;
7. an upload over the 2 MiB limit sent without Content-Length (chunked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from poflow.web import create_app
from poflow.web.limits import MAX_UPLOAD
from tests.reliability.support import record
from tests.web.support import add_person, login_as, refused_requests, snapshot
from tests.web.test_workspace_add import (
    HEADER,
    csrf_of,
    form_values,
    hire_line,
    upload,
    without_uploads,
)

EVIL = "https://evil.example"


@pytest.fixture
def web(example_data: Any) -> Iterator[TestClient]:
    """The web app on the example database, logged in as the P&O adviser HB-0002."""
    with TestClient(create_app(example_data.settings)) as client:
        login_as(client, example_data, "HB-0002")
        yield client


def hidden(page: str) -> dict[str, str]:
    """The hidden fields of a preview's confirm form."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def a_file() -> bytes:
    """One new hire of Hardenberg."""
    return f"{HEADER}\n{hire_line('NH-2030-010', 'Tim')}\n".encode()


def people_and_hires(rt: Any) -> dict[str, Any]:
    """The rows an import writes (besides its audit rows, which a refusal also writes)."""
    tables = {"person", "person_role", "role_grant", "hire", "step", "action", "outbox"}
    return {k: v for k, v in snapshot(rt).items() if k in tables}


def attempt(rt: Any, variant: str, go: Any, *, audited_by_tally: bool = False) -> Any:
    """Run one attack: nothing may be imported; record it for the reliability report."""
    before = people_and_hires(rt)
    refusals = len(refused_requests(rt))
    answer = go()
    refused = answer.status_code >= 400 and people_and_hires(rt) == before
    audited = len(refused_requests(rt)) > refusals if audited_by_tally else None
    record(
        "bypass",
        variant=f"wsadd {variant}",
        refused=refused,
        audited=audited,
        error=f"HTTP {answer.status_code}",
    )
    assert refused, answer.status_code
    assert audited is not False
    return answer


def test_x_4_another_advisers_upload_cannot_be_confirmed(example_data: Any, web: TestClient):
    """A second adviser who copies the hash and plan of an upload gets 'upload again'."""
    fields = hidden(upload(web, a_file()).text)
    add_person(example_data, "HB-9201", ["po_adviseur"], "Lies", "Prins")
    login_as(web, example_data, "HB-9201")
    own = f"{HEADER}\n{hire_line('NH-2030-099', 'Ilse')}\n".encode()
    fields["csrf"] = hidden(upload(web, own).text)["csrf"]  # their own confirm form's value
    answer = attempt(
        example_data,
        "1 another adviser's upload confirmed",
        lambda: web.post("/medewerkers/importeren/bevestigen", data=fields),
    )
    assert answer.status_code in {403, 410}


def test_x_1_a_plan_never_shown_is_not_imported(example_data: Any, web: TestClient):
    """A confirmation naming another plan hash shows the real plan and imports nothing."""
    fields = hidden(upload(web, a_file()).text)
    fields["plan"] = "0" * 64
    answer = attempt(
        example_data,
        "2 forged plan hash",
        lambda: web.post("/medewerkers/importeren/bevestigen", data=fields),
    )
    assert answer.status_code == 409


def test_x_4_rows_of_another_municipality_are_refused(example_data: Any, web: TestClient):
    """Rows for another municipality are refused in the preview: nothing to import."""
    other = next(slug for slug in example_data.configs if slug != "hardenberg")
    content = f"{HEADER}\n{hire_line('NH-2030-010', 'Tim', municipality=other)}\n".encode()
    before = without_uploads(snapshot(example_data))
    page = upload(web, content)
    refused = (
        "Importeer" not in page.text
        and "gemeente" in page.text
        and without_uploads(snapshot(example_data)) == before
    )
    record(
        "bypass",
        variant="wsadd 3 rows of another municipality",
        refused=refused,
        audited=None,
        error="row refused: unknown municipality",
    )
    assert refused


def test_x_4_a_cross_site_confirmation_is_refused_and_audited(example_data: Any, web: TestClient):
    """A confirmation posted from another site is refused, counted and audited."""
    fields = hidden(upload(web, a_file()).text)
    attempt(
        example_data,
        "4 cross-site confirmation",
        lambda: web.post(
            "/medewerkers/importeren/bevestigen", data=fields, headers={"Origin": EVIL}
        ),
        audited_by_tally=True,
    )


def test_x_4_a_confirmation_without_csrf_is_refused_and_audited(example_data: Any, web: TestClient):
    """A confirmation without its CSRF value is refused, counted and audited."""
    fields = hidden(upload(web, a_file()).text)
    del fields["csrf"]
    attempt(
        example_data,
        "5 confirmation without CSRF",
        lambda: web.post("/medewerkers/importeren/bevestigen", data=fields),
        audited_by_tally=True,
    )


def test_a_manager_cannot_post_the_new_hire_form(example_data: Any, web: TestClient):
    """A manager's POST of the form (with the adviser's CSRF value) is refused with a 403."""
    token = csrf_of(web.get("/medewerkers/nieuw").text)
    login_as(web, example_data, "HB-0004")
    attempt(
        example_data,
        "6 a manager posts the new-hire form",
        lambda: web.post("/medewerkers/nieuw", data={"csrf": token, **form_values()}),
    )


def test_a_chunked_upload_over_the_limit_is_refused(example_data: Any, web: TestClient):
    """An upload of more than 2 MiB without Content-Length is cut off with a 413."""

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_UPLOAD // 65536 + 2):
            yield b"x" * 65536

    answer = attempt(
        example_data,
        "7 chunked upload over 2 MiB",
        lambda: web.post(
            "/medewerkers/importeren",
            content=chunks(),
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        ),
    )
    assert answer.status_code == 413
