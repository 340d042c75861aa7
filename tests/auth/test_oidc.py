"""OpenID Connect login against a real provider (npm oidc-provider on loopback, tests/oidc/).

A browser's walk: poflow's /inloggen/oidc sends it to the provider, the provider's login form is
posted with a fictional login name, the provider sends it back to /inloggen/oidc/terug, and poflow
names the person from the ID token's employee_id claim, or refuses with a Dutch page and a named
exception (OidcRefused, logged without any token).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from poflow._exceptions import ConfigError, OidcRefused
from poflow.auth.oidc import FLOW_COOKIE, FLOW_PATH, Identified, OidcClient, safe_next
from poflow.db.session import upgrade_schema
from poflow.settings import Settings
from poflow.web import create_app
from poflow.web.identity import SESSION_COOKIE
from tests.auth.oidc_support import (
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    SECRET,
    OidcProvider,
    callback_path,
    import_example_staff,
    login_at_provider,
    oidc_settings,
    refused_logins,
    start_login,
)

REFUSED = "Inloggen niet gelukt"


def _migrated(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'poflow.db'}"
    upgrade_schema(url)
    return url


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite database with the example staff register (HB-0002 is "fenna" at the
    provider) for the module's apps."""
    url = _migrated(tmp_path_factory, "oidc-db")
    import_example_staff(url)
    return url


@pytest.fixture(scope="module")
def app(oidc_provider: OidcProvider, database: str) -> FastAPI:
    """poflow's web app with OpenID Connect login at the test provider."""
    return create_app(oidc_settings(oidc_provider, database))


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    """A fresh browser (cookie jar) on the app."""
    with TestClient(app) as client:
        yield client


def _client(provider: OidcProvider, database: str, **overrides: object) -> OidcClient:
    return OidcClient.from_settings(oidc_settings(provider, database, **overrides))


def _refusal(caplog: pytest.LogCaptureFixture) -> str:
    """The one OidcRefused logged by the login routes."""
    found = [r.getMessage() for r in caplog.records if r.name == "poflow.web.oidc"]
    assert len(found) == 1, found
    assert found[0].startswith("OidcRefused: "), found[0]
    return found[0]


class TestLogin:
    """A full login at the provider identifies the person of the claim."""

    def test_a_login_ends_on_the_page_of_the_person_in_the_claim(
        self, web: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A login as "fenna" gives a session of HB-0002 (Bram de Wit in the staff register),
        goes back to where the login began, and spends the flow cookie."""
        caplog.set_level(logging.DEBUG)
        url, _cookie = start_login(web, "/")
        back = login_at_provider(url, "fenna")
        answer = web.get(callback_path(back), follow_redirects=False)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/"
        assert SESSION_COOKIE in web.cookies
        page = web.get("/")
        assert "Ingelogd als Bram de Wit" in page.text
        assert "HB-0002" in page.text
        assert FLOW_COOKIE not in web.cookies
        code = dict(parse_qsl(urlsplit(back).query))["code"]
        ours = [r.getMessage() for r in caplog.records if r.name.startswith("poflow")]
        assert not [m for m in ours if code in m]  # nothing of the code (or tokens) is logged

    def test_the_start_uses_pkce_s256_state_and_nonce_with_a_short_lived_cookie(
        self, web: TestClient
    ) -> None:
        """The provider is asked with a PKCE S256 challenge, a state and a nonce; the flow cookie
        is HttpOnly, SameSite=Lax and only sent to /inloggen/oidc."""
        answer = web.get(FLOW_PATH, follow_redirects=False)
        query = dict(parse_qsl(urlsplit(answer.headers["location"]).query))
        assert query["code_challenge_method"] == "S256"
        assert len(query["code_challenge"]) == 43
        assert query["state"]
        assert query["nonce"]
        assert query["scope"] == "openid profile email"
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert f"path={FLOW_PATH}" in cookie
        assert "max-age=600" in cookie

    def test_the_next_path_comes_back_only_when_it_is_on_this_site(
        self, oidc_provider: OidcProvider, database: str
    ) -> None:
        """The path to go to after login travels in the flow; another site's address does not."""
        client = _client(oidc_provider, database)
        url, cookie = client.start("/a/some-token")
        back = dict(parse_qsl(urlsplit(login_at_provider(url, "joris")).query))
        assert client.finish(cookie, back) == Identified("HB-0007", "/a/some-token")
        assert safe_next("https://elders.example/") is None
        assert safe_next("//elders.example/") is None
        assert safe_next("/\\elders.example/") is None

    def test_no_login_routes_without_an_issuer(self, database: str) -> None:
        """Without POFLOW_OIDC_ISSUER the app has no OpenID Connect routes."""
        with TestClient(create_app(Settings(database_url=database, secret_key=SECRET))) as web:
            assert web.get(FLOW_PATH).status_code == 404

    def test_an_issuer_without_a_client_secret_is_a_config_error(
        self, oidc_provider: OidcProvider, database: str
    ) -> None:
        """An issuer without client secret stops the app at start, naming the setting."""
        with pytest.raises(ConfigError, match="POFLOW_OIDC_CLIENT_SECRET"):
            create_app(oidc_settings(oidc_provider, database, oidc_client_secret=""))


class TestRefused:
    """Every broken or hostile answer is refused with a Dutch page and OidcRefused."""

    def test_x_4_a_tampered_state_is_refused_and_audited(
        self, web: TestClient, database: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A callback whose state is not the flow's is refused before the code is redeemed, and
        the refusal is counted and audited (X-4)."""
        before = refused_logins(database, "state")
        url, _cookie = start_login(web)
        back = login_at_provider(url, "fenna")
        params = dict(parse_qsl(urlsplit(back).query))
        params["state"] = params["state"][:-1] + ("A" if params["state"][-1] != "A" else "B")
        page = web.get("/inloggen/oidc/terug", params=params)
        assert page.status_code == 400
        assert REFUSED in page.text
        assert "hoort niet bij jouw inlogpoging" in page.text
        assert "(state)" in _refusal(caplog)
        assert refused_logins(database, "state") == before + 1

    def test_a_replayed_callback_is_refused(
        self, web: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The same callback (code and flow cookie) a second time is refused: a code counts once."""
        url, cookie = start_login(web)
        back = callback_path(login_at_provider(url, "fenna"))
        assert web.get(back, follow_redirects=False).status_code == 303
        caplog.clear()
        page = web.get(back, headers={"cookie": f"{FLOW_COOKIE}={cookie}"})
        assert page.status_code == 403
        assert REFUSED in page.text
        assert "Ingelogd" not in page.text
        assert "(token)" in _refusal(caplog)
        assert "invalid_grant" in caplog.text

    def test_a_wrong_client_secret_is_refused(
        self, oidc_provider: OidcProvider, database: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        """With a client secret the provider does not know, the code is not redeemed."""
        app = create_app(oidc_settings(oidc_provider, database, oidc_client_secret="fout"))
        with TestClient(app) as web:
            url, _cookie = start_login(web)
            page = web.get(callback_path(login_at_provider(url, "fenna")))
        assert page.status_code == 403
        assert REFUSED in page.text
        assert "(token)" in _refusal(caplog)
        assert "invalid_client" in caplog.text

    @pytest.mark.parametrize("login", ["zonder-id", "leeg-id"])
    def test_an_account_without_the_person_claim_is_refused(
        self, web: TestClient, caplog: pytest.LogCaptureFixture, login: str
    ) -> None:
        """An ID token without an employee_id (or an empty one) identifies nobody."""
        url, _cookie = start_login(web)
        page = web.get(callback_path(login_at_provider(url, login)))
        assert page.status_code == 403
        assert "personeelsnummer niet door" in page.text
        assert "Ingelogd" not in page.text
        assert "(claim)" in _refusal(caplog)

    def test_a_person_the_staff_register_does_not_know_gets_no_session(
        self, oidc_provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        """A valid login whose employee_id is in no staff register of this installation is
        refused with the Dutch login message and gives no session (one login identity, one
        person of the register)."""
        empty = _migrated(tmp_path_factory, "oidc-empty")
        with TestClient(create_app(oidc_settings(oidc_provider, empty))) as web:
            url, _cookie = start_login(web)
            page = web.get(callback_path(login_at_provider(url, "fenna")))
            assert page.status_code == 403
            assert "Inloggen is niet gelukt" in page.text
            assert SESSION_COOKIE not in web.cookies

    def test_an_id_token_for_another_audience_is_refused(
        self, oidc_provider: OidcProvider, database: str
    ) -> None:
        """A real ID token the provider issued to another application is not accepted by poflow."""
        other = _client(
            oidc_provider,
            database,
            oidc_client_id=OTHER_CLIENT_ID,
            oidc_client_secret=OTHER_CLIENT_SECRET,
        )
        url, cookie = other.start(None)
        params = dict(parse_qsl(urlsplit(login_at_provider(url, "fenna")).query))
        flow = other.read_flow(cookie)
        token = other.exchange(params["code"], flow)
        assert other.verify_id_token(token["id_token"], nonce=flow.nonce)["employee_id"]
        poflow = _client(oidc_provider, database)
        with pytest.raises(OidcRefused, match=r"\(id_token\).*aud") as refused:
            poflow.verify_id_token(token["id_token"], nonce=flow.nonce)
        assert refused.value.reason == "id_token"
        with pytest.raises(OidcRefused, match=r"\(id_token\).*nonce"):
            other.verify_id_token(token["id_token"], nonce="another-login-attempt")

    def test_a_code_issued_to_another_client_is_refused(
        self,
        web: TestClient,
        oidc_provider: OidcProvider,
        database: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """A code the provider gave another application is refused at poflow's callback."""
        other = _client(
            oidc_provider,
            database,
            oidc_client_id=OTHER_CLIENT_ID,
            oidc_client_secret=OTHER_CLIENT_SECRET,
        )
        url, _ = other.start(None)
        stolen = dict(parse_qsl(urlsplit(login_at_provider(url, "fenna")).query))["code"]
        own, _cookie = start_login(web)
        state = dict(parse_qsl(urlsplit(own).query))["state"]
        page = web.get("/inloggen/oidc/terug", params={"code": stolen, "state": state})
        assert page.status_code == 403
        assert "Ingelogd" not in page.text
        assert "(token)" in _refusal(caplog)

    def test_an_error_from_the_provider_is_refused(
        self, web: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An error answer from the provider (the person cancelled) is refused with a Dutch page."""
        url, _cookie = start_login(web)
        state = dict(parse_qsl(urlsplit(url).query))["state"]
        page = web.get("/inloggen/oidc/terug", params={"error": "access_denied", "state": state})
        assert page.status_code == 400
        assert "heeft het inloggen afgebroken" in page.text
        assert "(provider)" in _refusal(caplog)

    def test_a_callback_without_a_login_attempt_is_refused(
        self, web: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A callback without the flow cookie (expired in the browser, never started) is refused."""
        page = web.get("/inloggen/oidc/terug", params={"code": "x", "state": "y"})
        assert page.status_code == 400
        assert "verlopen of niet meer geldig" in page.text
        assert "(flow)" in _refusal(caplog)

    def test_an_expired_login_attempt_is_refused(
        self, oidc_provider: OidcProvider, database: str
    ) -> None:
        """A flow cookie older than its lifetime is refused, even with a good code and state."""
        client = OidcClient.from_settings(oidc_settings(oidc_provider, database), flow_max_age_s=-1)
        url, cookie = client.start(None)
        params = dict(parse_qsl(urlsplit(login_at_provider(url, "fenna")).query))
        with pytest.raises(OidcRefused, match=r"\(flow\).*expired"):
            client.finish(cookie, params)
