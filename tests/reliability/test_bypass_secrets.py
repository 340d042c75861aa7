"""Bypass attempts on poflow's secrets (issue 20 item 4): none succeeds.

The attack of the issue: with the development key, anyone who can read the database forges a
working link (its public id is in `action_link`, the key in the source code). The variants tried,
on SQLite and PostgreSQL:

S1. a link forged with the development key from a public id read in the database, once a real key
    is set: refused as not made by poflow, audited, the check-in not recorded;
S2. the web app started with the development key on a public address (0.0.0.0): refused;
S3. the web app on loopback behind a reverse proxy whose public name is POFLOW_BASE_URL, with the
    development key: refused;
S4. a rotation that keeps the development key as a previous key (so forged links still verify)
    on a public deployment: refused;
S5. a link-carrying mail minted with the development key while links point at a public name:
    refused, nothing queued;
S6. a link signed by a key removed from the previous keys after a rotation: refused, audited.

A refused start is not in the audit log (nothing started to write it): its "audited" is n/a.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from pydantic import SecretStr
from sqlalchemy import func, select

from poflow._exceptions import InsecureSecret
from poflow.db.models import Outbox, Step
from poflow.kernel.secrets import DEVELOPMENT_KEY
from poflow.links import SALT, ActionLink
from poflow.states import StepState
from poflow.web import create_app, serve_web_in_thread
from tests.reliability.support import record
from tests.web.support import checkin_record_link, csrf_of, path_of, refused_requests

REAL_KEY = "a-real-key-of-this-installation-0123456789"
PUBLIC = "https://poflow.gemeente.example"


def _db(rt: Any) -> str:
    return "postgres" if rt.settings.resolved_database_url().startswith("postgres") else "sqlite"


def _talk_done(rt: Any) -> bool:
    with rt.factory() as session:
        state = session.scalars(
            select(Step.state).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()
    return state == StepState.DONE


def _dev(rt: Any, **changes: Any) -> Any:
    """The runtime's settings with the development key and `changes`."""
    return rt.settings.model_copy(update={"secret_key": SecretStr(DEVELOPMENT_KEY), **changes})


def _press(client: TestClient, path: str) -> int:
    """Open the link and press its button as its person would; the last status code."""
    page = client.get(path)
    form = {"csrf": csrf_of(page.text)} if page.status_code == 200 else {"csrf": "x"}
    return client.post(path, data=form).status_code


def _web_attempt(rt: Any, variant: str, path: str, settings: Any) -> None:
    """A link tried against the web app: refused, nothing recorded, the refusal audited."""
    refusals = len(refused_requests(rt))
    with TestClient(create_app(settings), base_url=PUBLIC) as client:
        status = _press(client, path)
    refused = status >= 400 and not _talk_done(rt)
    audited = len(refused_requests(rt)) > refusals
    record(
        "bypass",
        variant=f"{variant} ({_db(rt)})",
        refused=refused,
        audited=audited,
        error=f"HTTP {status}",
    )
    assert refused, status
    assert audited


def _start_attempt(rt: Any, variant: str, start: Any) -> None:
    """Starting the web app (or minting links) with a known key where others can reach it."""
    try:
        start()
    except InsecureSecret as exc:
        refused, error = True, f"InsecureSecret ({', '.join(exc.settings)})"
    else:
        refused, error = False, "started"
    record("bypass", variant=f"{variant} ({_db(rt)})", refused=refused, audited=None, error=error)
    assert refused


def test_secrets_a_link_forged_with_the_development_key_is_refused(example_data: Any):
    """S1: with a real key set, a token signed with the development key over a public id read
    from the database is refused and audited; the check-in stays unrecorded."""
    rt = example_data
    real = path_of(checkin_record_link(rt))
    with rt.factory() as session:
        public_id = session.scalars(select(ActionLink.public_id)).one()
    forged = URLSafeSerializer(DEVELOPMENT_KEY, salt=SALT).dumps({"l": public_id})
    assert forged != real.removeprefix("/a/")
    settings = rt.settings.model_copy(
        update={"secret_key": SecretStr(REAL_KEY), "base_url": PUBLIC}
    )
    _web_attempt(
        rt,
        "S1 link forged with the development key from a public id in the database",
        f"/a/{forged}",
        settings,
    )


def test_secrets_the_development_key_on_a_public_address_is_refused(example_data: Any):
    """S2: the web app does not start with the development key on 0.0.0.0."""
    settings = _dev(example_data)
    _start_attempt(
        example_data,
        "S2 web app started with the development key on 0.0.0.0",
        lambda: serve_web_in_thread(settings, host="0.0.0.0", port=0),  # noqa: S104  (refused)
    )


def test_secrets_the_development_key_behind_a_proxy_is_refused(example_data: Any):
    """S3: listening on loopback does not help when the links point at a public name."""
    settings = _dev(example_data, base_url=PUBLIC)
    _start_attempt(
        example_data,
        "S3 development key on loopback behind a proxy with a public POFLOW_BASE_URL",
        lambda: create_app(settings),
    )


def test_secrets_the_development_key_kept_as_a_previous_key_is_refused(example_data: Any):
    """S4: a rotation cannot keep the development key verifying links on a public deployment."""
    settings = _dev(
        example_data,
        secret_key=SecretStr(REAL_KEY),
        previous_secret_keys=(SecretStr(DEVELOPMENT_KEY),),
        base_url=PUBLIC,
    )
    _start_attempt(
        example_data,
        "S4 development key kept as a previous key on a public deployment",
        lambda: create_app(settings),
    )


def test_secrets_no_link_is_mailed_with_the_development_key(
    example_data: Any, monkeypatch: pytest.MonkeyPatch
):
    """S5: minting a link into a mail with the development key and a public base URL is
    refused; neither the link nor the mail is queued."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    monkeypatch.delenv("POFLOW_SECRET_KEY")
    monkeypatch.setenv("POFLOW_BASE_URL", PUBLIC)
    get_settings.cache_clear()
    _runtime.cache_clear()
    rt = get_runtime()
    _start_attempt(
        rt,
        "S5 link mailed with the development key and a public POFLOW_BASE_URL",
        lambda: checkin_record_link(rt),
    )
    with rt.factory() as session:
        assert session.scalar(select(func.count()).select_from(ActionLink)) == 0
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_secrets_a_link_of_a_removed_key_is_refused(example_data: Any):
    """S6: after the old key is removed from the previous keys, its links are refused."""
    rt = example_data
    old = path_of(checkin_record_link(rt))
    settings = rt.settings.model_copy(
        update={"secret_key": SecretStr(REAL_KEY), "previous_secret_keys": (), "base_url": PUBLIC}
    )
    _web_attempt(rt, "S6 link signed by a key removed after a rotation", old, settings)
