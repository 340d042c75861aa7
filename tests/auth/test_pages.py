"""Tests of the login pages through the real app (FastAPI TestClient): login, the start page,
refusals, the `next` redirect, cross-site posts and logout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from poflow.auth.accounts import add_login
from poflow.web import create_app
from poflow.web.identity import SESSION_COOKIE
from tests.web.support import TEST_PASSWORD, csrf_of, heading, login_as, snapshot


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the real web app on this test's database; Dirk (HB-0004) has a login."""
    with hardenberg.factory() as db, db.begin():
        add_login(db, "HB-0004", TEST_PASSWORD, totp=False, actor="test")
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c


def _post_login(client: TestClient, password: str, next_path: str = "", **headers: str) -> Any:
    page = client.get("/inloggen")
    return client.post(
        "/inloggen",
        data={
            "csrf": csrf_of(page.text),
            "personeelsnummer": "HB-0004",
            "wachtwoord": password,
            "next": next_path,
        },
        headers=headers,
        follow_redirects=False,
    )


def test_logging_in_sets_a_safe_cookie_and_the_start_page_shows_the_name(client: TestClient):
    """The right password answers 303 to / with an HttpOnly, SameSite=Lax session cookie, and /
    then leads to "Mijn werk", which says who is logged in."""
    answer = _post_login(client, TEST_PASSWORD)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Path=/" in cookie
    home = client.get("/")
    assert str(home.url).endswith("/werk")
    assert heading(home.text) == "Mijn werk"
    assert "Ingelogd als Dirk Mulder" in home.text


def test_a_wrong_password_answers_401_and_sets_no_session(client: TestClient):
    """A wrong password shows the one Dutch refusal tied to the field, and sets no cookie."""
    answer = _post_login(client, "niet-het-goede-wachtwoord")
    assert answer.status_code == 401
    assert "Inloggen is niet gelukt" in answer.text
    assert 'id="fout-inloggen"' in answer.text
    assert 'aria-describedby="hint-wachtwoord fout-inloggen"' in answer.text
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).headers["location"] == "/inloggen"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "evil.example",
        "//evil.example/a/x",
    ],
)
def test_an_open_redirect_through_next_lands_on_the_start_page(client: TestClient, target: str):
    """A `next` that is not a path on this site sends the person to / after login."""
    answer = _post_login(client, TEST_PASSWORD, target)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


def test_next_brings_the_person_back_to_the_page_they_came_from(client: TestClient):
    """A relative `next` is followed after login."""
    answer = _post_login(client, TEST_PASSWORD, "/a/abc.def")
    assert answer.headers["location"] == "/a/abc.def"


def test_a_cross_site_login_post_is_refused_and_changes_nothing_but_the_tally(
    client: TestClient, hardenberg: Any
):
    """A login POST whose Origin is another site gets 403, no session and no login attempt."""
    answer = _post_login(client, TEST_PASSWORD, origin="https://evil.example")
    assert answer.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    page = client.get("/inloggen")
    no_csrf = client.post(
        "/inloggen",
        data={"personeelsnummer": "HB-0004", "wachtwoord": TEST_PASSWORD, "csrf": "0" * 64},
        follow_redirects=False,
    )
    assert page.status_code == 200
    assert no_csrf.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_logout_ends_the_session_and_clears_the_cookie(client: TestClient, hardenberg: Any):
    """The logout button ends the session: the old cookie value no longer logs anyone in."""
    login_as(client, hardenberg, "HB-0004")
    old = client.cookies[SESSION_COOKIE]
    home = client.get("/")
    answer = client.post("/uitloggen", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
    assert answer.status_code == 303
    assert SESSION_COOKIE not in client.cookies
    client.cookies.set(SESSION_COOKIE, old)
    assert client.get("/", follow_redirects=False).headers["location"] == "/inloggen"


def test_a_cross_site_logout_is_refused(client: TestClient, hardenberg: Any):
    """A logout POST from another site (or without the page's CSRF value) leaves the session."""
    login_as(client, hardenberg, "HB-0004")
    before = snapshot(hardenberg)["login_session"]
    assert client.post("/uitloggen", data={}, follow_redirects=False).status_code == 403
    assert snapshot(hardenberg)["login_session"] == before
    assert "Ingelogd als Dirk Mulder" in client.get("/").text


def test_login_as_logs_in_a_person_without_a_login(client: TestClient, hardenberg: Any):
    """The test helper gives a person a login and logs the client in as them."""
    login_as(client, hardenberg, "HB-0002")
    assert "Ingelogd als Bram de Wit" in client.get("/").text
    login_as(client, hardenberg, "HB-0004")
    assert "Ingelogd als Dirk Mulder" in client.get("/").text
