"""Bypass attempts on the OpenID Connect login: none identifies anybody, each is audited (X-4).

Against a real provider (tests/oidc/provider.js) and poflow's web app on SQLite and PostgreSQL:

1. the callback with a tampered state;
2. the same callback (code and flow cookie) replayed;
3. poflow configured with a wrong client secret;
4. an account whose ID token has no employee_id;
5. an account whose employee_id is empty;
6. a code the provider issued to another application, brought to poflow's callback;
7. a callback without any login attempt (no flow cookie);
8. a flow cookie signed with another key (forged).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from poflow.auth.oidc import CALLBACK_PATH, FLOW_COOKIE, OidcClient
from poflow.web import create_app
from tests.auth.oidc_support import (
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    OidcProvider,
    callback_path,
    import_example_staff,
    login_at_provider,
    oidc_settings,
    refused_logins,
    start_login,
)
from tests.reliability.support import record

Walk = tuple[str, dict[str, str], str | None]  # refusal reason, callback query, flow cookie sent


def _honest_login(web: TestClient, provider: OidcProvider, db: str) -> Walk:
    url, _ = start_login(web)
    return "token", dict(parse_qsl(urlsplit(login_at_provider(url, "fenna")).query)), None


def _tampered_state(web: TestClient, provider: OidcProvider, db: str) -> Walk:
    url, _ = start_login(web)
    params = dict(parse_qsl(urlsplit(login_at_provider(url, "fenna")).query))
    params["state"] = "x" + params["state"][1:]
    return "state", params, None


def _replayed(web: TestClient, provider: OidcProvider, db: str) -> Walk:
    import_example_staff(db)  # the first use of the code logs HB-0002 in
    url, cookie = start_login(web)
    back = callback_path(login_at_provider(url, "fenna"))
    assert web.get(back, follow_redirects=False).status_code == 303
    return "token", dict(parse_qsl(urlsplit(back).query)), cookie


def _claimless(login: str) -> Callable[..., Walk]:
    def attack(web: TestClient, provider: OidcProvider, db: str) -> Walk:
        url, _ = start_login(web)
        return "claim", dict(parse_qsl(urlsplit(login_at_provider(url, login)).query)), None

    return attack


def _other_clients_code(web: TestClient, provider: OidcProvider, db: str) -> Walk:
    other = OidcClient.from_settings(
        oidc_settings(
            provider, db, oidc_client_id=OTHER_CLIENT_ID, oidc_client_secret=OTHER_CLIENT_SECRET
        )
    )
    url, _ = other.start(None)
    code = dict(parse_qsl(urlsplit(login_at_provider(url, "fenna")).query))["code"]
    own, _ = start_login(web)
    return "token", {"code": code, "state": dict(parse_qsl(urlsplit(own).query))["state"]}, None


def _no_attempt(web: TestClient, provider: OidcProvider, db: str) -> Walk:
    web.cookies.clear()
    return "flow", {"code": "x", "state": "y"}, None


def _forged_cookie(web: TestClient, provider: OidcProvider, db: str) -> Walk:
    forged = URLSafeTimedSerializer("another-key", salt="poflow.oidc.flow")
    cookie = forged.dumps(["state", "nonce", "v" * 64, None])
    return "flow", {"code": "x", "state": "state"}, cookie


ATTACKS: dict[str, tuple[Callable[..., Walk], dict[str, str]]] = {
    "OIDC 1 tampered state at the callback": (_tampered_state, {}),
    "OIDC 2 replayed callback (code used twice)": (_replayed, {}),
    "OIDC 3 wrong client secret": (_honest_login, {"oidc_client_secret": "fout"}),
    "OIDC 4 ID token without the person claim": (_claimless("zonder-id"), {}),
    "OIDC 5 ID token with an empty person claim": (_claimless("leeg-id"), {}),
    "OIDC 6 code issued to another application": (_other_clients_code, {}),
    "OIDC 7 callback without a login attempt": (_no_attempt, {}),
    "OIDC 8 flow cookie signed with another key": (_forged_cookie, {}),
}


@pytest.mark.parametrize("variant", list(ATTACKS))
def test_x_4_oidc_bypass_is_refused_and_audited(
    variant: str, oidc_provider: OidcProvider, db_url: str
) -> None:
    """The attack identifies nobody, answers a Dutch refusal page and is audited."""
    attack, overrides = ATTACKS[variant]
    app = create_app(oidc_settings(oidc_provider, db_url, **overrides))
    with TestClient(app) as web:
        reason, params, cookie = attack(web, oidc_provider, db_url)
        before = refused_logins(db_url, reason)
        headers = {"cookie": f"{FLOW_COOKIE}={cookie}"} if cookie else None
        page = web.get(CALLBACK_PATH, params=params, headers=headers)
    refused = page.status_code >= 400 and "Ingelogd als" not in page.text
    refused = refused and "Inloggen niet gelukt" in page.text
    audited = refused_logins(db_url, reason) > before
    record("bypass", variant=variant, refused=refused, audited=audited, error="OidcRefused")
    assert refused, page.text
    assert audited
