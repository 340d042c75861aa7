"""A real OpenID provider for the login tests: `node tests/oidc/provider.js` (npm oidc-provider)
on a free loopback port, started once per test session, and a browser's walk through its login form.

The provider knows two confidential clients with the same redirect URI: poflow's (CLIENT_ID) and
another application's (OTHER_CLIENT_ID), and the fictional login names of tests/oidc/provider.js:
"fenna" (employee_id HB-0002), "joris" (HB-0007), "zonder-id" (no employee_id), "leeg-id" ("").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from poflow.auth.oidc import CALLBACK_PATH, FLOW_COOKIE, FLOW_PATH
from poflow.config import load_all
from poflow.db.models import RefusalTally
from poflow.db.session import session_factory
from poflow.importer import import_staff
from poflow.localpg import free_port
from poflow.runtime import config_sections
from poflow.settings import SHIPPED_CONFIG_DIR, Settings
from tests.conftest import EXAMPLES

__all__ = [
    "OidcProvider",
    "callback_path",
    "login_at_provider",
    "oidc_provider",
    "oidc_settings",
    "refused_logins",
    "start_login",
]

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
BASE_URL = "http://127.0.0.1:8765"  # poflow's default base URL; the redirect URI hangs off it
REDIRECT_URI = BASE_URL + CALLBACK_PATH
CLIENT_ID = "poflow"
CLIENT_SECRET = "poflow-test-client-secret"
OTHER_CLIENT_ID = "andere-toepassing"
OTHER_CLIENT_SECRET = "andere-toepassing-secret"
SECRET = "test-secret-key-for-poflow-oidc-tests"
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


@dataclass(frozen=True)
class OidcProvider:
    """The running test provider."""

    issuer: str
    log: Path


def _fail_without_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the OIDC login tests need it (scripts/test.sh)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            f"{PROVIDER_DIR}/node_modules is missing: run `npm ci --prefix tests/oidc` "
            "(scripts/test.sh does it)"
        )
    return node


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """`tests/oidc/provider.js` running on a free loopback port for this test session."""
    node = _fail_without_node()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_OTHER_CLIENT_ID": OTHER_CLIENT_ID,
        "OIDC_OTHER_CLIENT_SECRET": OTHER_CLIENT_SECRET,
        "OIDC_REDIRECT_URI": REDIRECT_URI,
        "OIDC_PERSON_CLAIM": "employee_id",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node, str(PROVIDER_DIR / "provider.js"), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the OIDC test provider did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield OidcProvider(issuer=issuer, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oidc_settings(provider: OidcProvider, database_url: str, **overrides: Any) -> Settings:
    """poflow's settings for a login at `provider` (its client, the default person claim)."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": SECRET,
        "base_url": BASE_URL,
        "oidc_issuer": provider.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        **overrides,
    }
    return Settings(**values)


def import_example_staff(database_url: str) -> None:
    """The shared example staff register in a migrated database ("fenna" at the provider is
    HB-0002 there)."""
    configs = load_all(SHIPPED_CONFIG_DIR, config_sections())
    with session_factory(database_url)() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", configs)


def login_at_provider(authorize_url: str, login: str) -> str:
    """Walk a browser from the authorization address through the provider's login form with
    `login`; return the address the provider sends it back to (poflow's callback, with code)."""
    with httpx.Client(timeout=10) as browser:
        answer = browser.get(authorize_url, follow_redirects=True)
        form = FORM_ACTION.search(answer.text)
        assert form, answer.text
        answer = browser.post(urljoin(str(answer.url), form.group(1)), data={"login": login})
        while answer.is_redirect:
            location = urljoin(str(answer.url), answer.headers["location"])
            if location.startswith(REDIRECT_URI):
                return location
            answer = browser.get(location)
    raise AssertionError(f"the provider did not send the browser back: {answer.status_code}")


def start_login(app: Any, next_path: str | None = None) -> tuple[str, str]:
    """GET /inloggen/oidc on the app's TestClient: the provider's address and the flow cookie."""
    query = {"next": next_path} if next_path else None
    answer = app.get(FLOW_PATH, params=query, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"], answer.cookies[FLOW_COOKIE]


def callback_path(url: str) -> str:
    """The path and query of a callback address, for the TestClient."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def refused_logins(database_url: str, reason: str) -> int:
    """How many refused OIDC logins of `reason` the app counted (refusal tally, audited)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(func.coalesce(func.sum(RefusalTally.count), 0)).where(
                RefusalTally.reason == f"oidc_{reason}"
            )
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()
