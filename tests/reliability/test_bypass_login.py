"""Bypass attempts on logging in and on the pages that need a login (REC-9, X-4), on SQLite and
PostgreSQL, through the real web app: none decides anything or logs anybody in.

1. a decision link opened (and posted) without a session;
2. a decision link opened by another logged-in person;
3. a session cookie used after logging out;
4. a session cookie used after the idle timeout;
5. a session cookie used after `poflow users disable`;
6. password guessing: the login is locked after 5 tries, the right password then refused too;
7. a TOTP code used twice within its window;
8. an open redirect through `/inloggen?next=` (another host, "//host", "/\\host");
9. a cross-site POST to `/inloggen` (right password, CSRF value and all);
10. a POST to `/inloggen` without the form's CSRF value;
11. a cross-site POST confirming an import's role grants on `/rollen/{batch}`;
12. the requester of role grants confirming them on the review page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from poflow.approvals.decisions import roles_of
from poflow.approvals.models import Approval
from poflow.auth.accounts import MAX_FAILURES, add_login
from poflow.auth.models import LoginSession
from poflow.cli import app as cli
from poflow.db.base import utcnow
from poflow.db.models import AuditEntry
from poflow.staff.models import RoleGrant
from poflow.web import create_app
from poflow.web.identity import SESSION_COOKIE
from tests.approvals.support import ASKED, ask
from tests.conftest import SmtpRecorder
from tests.reliability.support import record
from tests.staff.support import grant_by_import, import_examples, page_csrf
from tests.web.support import (
    DIRK,
    TEST_PASSWORD,
    csrf_of,
    heading,
    login_as,
    refused_requests,
    snapshot,
)

EVIL = "https://evil.example"


@pytest.fixture
def web(runtime: Any) -> Iterator[TestClient]:
    """The web app on this test's database with the example staff of Hardenberg."""
    import_examples(runtime)
    with TestClient(create_app(runtime.settings)) as client:
        yield client


def _audits(rt: Any, action: str, **detail: str) -> int:
    with rt.factory() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
    return sum(1 for r in rows if all(r.detail.get(k) == v for k, v in detail.items()))


def _decisions(rt: Any) -> int:
    with rt.factory() as s:
        return int(s.scalar(select(func.count()).select_from(Approval)) or 0)


def _refused(rt: Any, reason: str) -> int:
    return sum(1 for r in refused_requests(rt) if r["reason"] == reason)


def _dirk_link(rt: Any, smtp: SmtpRecorder) -> str:
    """The decision link mailed to Dirk (HB-0004, leidinggevende) for an offer."""
    return ask(rt, smtp, ASKED)[DIRK]


def _to_login(answer: Any) -> bool:
    return answer.status_code == 303 and answer.headers["location"].startswith("/inloggen?next=")


def _link_refused(rt: Any, web: TestClient, link: str, variant: str, audited: bool | None) -> None:
    """The link answers the login page (GET and POST), nothing is decided; record it."""
    before = _decisions(rt)
    opened = web.get(link, follow_redirects=False)
    posted = web.post(link, data={"besluit": "akkoord"}, follow_redirects=False)
    refused = _to_login(opened) and _to_login(posted) and _decisions(rt) == before
    record("bypass", variant=variant, refused=refused, audited=audited, error="login_redirect")
    assert refused, (opened.status_code, posted.status_code)
    assert audited is not False


def test_rec_9_a_decision_link_without_a_session_goes_to_the_login_page(
    runtime: Any, web: TestClient, smtp: SmtpRecorder
):
    """Without a session a decision link answers the login page and decides nothing."""
    link = _dirk_link(runtime, smtp)
    _link_refused(runtime, web, link, "login 1 decision link without a session", None)


def test_rec_9_a_decision_link_of_another_person_is_refused(
    runtime: Any, web: TestClient, smtp: SmtpRecorder
):
    """Bram, logged in, opens and posts Dirk's decision link: refused as other_person, audited."""
    link = _dirk_link(runtime, smtp)
    login_as(web, runtime, "HB-0003")  # Carla, P&O adviser, not asked
    before = _decisions(runtime)
    opened = web.get(link)
    posted = web.post(link, data={"csrf": "0" * 64, "besluit": "akkoord"})
    refused = (
        opened.status_code == 403
        and posted.status_code in (403,)
        and "iemand anders" in (opened.text)
    )
    refused = refused and _decisions(runtime) == before
    audited = _refused(runtime, "other_person") >= 1
    record(
        "bypass",
        variant="login 2 decision link opened by another logged-in person",
        refused=refused,
        audited=audited,
        error="other_person",
    )
    assert refused, (opened.status_code, posted.status_code, heading(opened.text))
    assert audited


def test_rec_9_a_session_cookie_after_logout_is_dead(
    runtime: Any, web: TestClient, smtp: SmtpRecorder
):
    """The cookie of a session that logged out opens nothing."""
    link = _dirk_link(runtime, smtp)
    login_as(web, runtime, "HB-0004")
    cookie = web.cookies[SESSION_COOKIE]
    home = web.get("/")
    out = web.post("/uitloggen", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    web.cookies.set(SESSION_COOKIE, cookie)  # the old cookie, kept by an attacker
    _link_refused(runtime, web, link, "login 3 session cookie after logout", None)


def test_rec_9_a_session_cookie_after_the_idle_timeout_is_dead(
    runtime: Any, web: TestClient, smtp: SmtpRecorder
):
    """A session idle longer than POFLOW_SESSION_IDLE_MINUTES opens nothing."""
    link = _dirk_link(runtime, smtp)
    login_as(web, runtime, "HB-0004")
    idle = timedelta(minutes=runtime.settings.session_idle_minutes + 1)
    with runtime.factory() as s, s.begin():
        s.execute(update(LoginSession).values(last_seen_at=utcnow() - idle))
    _link_refused(runtime, web, link, "login 4 session cookie after the idle timeout", None)


def test_rec_9_a_session_cookie_after_users_disable_is_dead(
    runtime: Any, web: TestClient, smtp: SmtpRecorder
):
    """`poflow users disable` ends the person's sessions: their cookie opens nothing."""
    link = _dirk_link(runtime, smtp)
    login_as(web, runtime, "HB-0004")
    done = CliRunner().invoke(cli, ["users", "disable", "HB-0004"])
    assert done.exit_code == 0, done.output
    audited = _audits(runtime, "login.disabled") == 1
    _link_refused(runtime, web, link, "login 5 session cookie after users disable", audited)


def _login(web: TestClient, person: str, password: str, code: str = "", **headers: str) -> Any:
    web.cookies.delete(SESSION_COOKIE)
    page = web.get("/inloggen")
    form = {
        "csrf": csrf_of(page.text),
        "personeelsnummer": person,
        "wachtwoord": password,
        "code": code,
    }
    return web.post("/inloggen", data=form, headers=headers, follow_redirects=False)


def test_rec_9_password_guessing_locks_the_login(runtime: Any, web: TestClient):
    """After 5 wrong passwords the login is locked: the right password is refused too."""
    with runtime.factory() as s, s.begin():
        add_login(s, "HB-0004", TEST_PASSWORD, totp=False, actor="test")
    tries = [_login(web, "HB-0004", f"gok-nummer-{n:04d}") for n in range(MAX_FAILURES)]
    right = _login(web, "HB-0004", TEST_PASSWORD)
    refused = all(t.status_code == 401 for t in tries) and right.status_code == 401
    refused = refused and not web.cookies.get(SESSION_COOKIE)
    audited = _audits(runtime, "login.locked") == 1
    audited = audited and _audits(runtime, "login.failed", reason="locked") == 1
    record(
        "bypass",
        variant="login 6 password guessing (locked after 5 tries)",
        refused=refused,
        audited=audited,
        error="LoginRefused",
    )
    assert refused, right.status_code
    assert audited


def test_rec_9_a_totp_code_works_once(runtime: Any, web: TestClient):
    """A TOTP code that logged in once is refused the second time, within its window."""
    with runtime.factory() as s, s.begin():
        secret = add_login(s, "HB-0004", TEST_PASSWORD, totp=True, actor="test")
    assert secret is not None
    code = pyotp.TOTP(secret).now()
    first = _login(web, "HB-0004", TEST_PASSWORD, code)
    assert first.status_code == 303, heading(first.text)
    again = _login(web, "HB-0004", TEST_PASSWORD, code)
    refused = again.status_code == 401 and not web.cookies.get(SESSION_COOKIE)
    audited = _audits(runtime, "login.failed", reason="code_used") == 1
    record(
        "bypass",
        variant="login 7 TOTP code used twice within its window",
        refused=refused,
        audited=audited,
        error="LoginRefused",
    )
    assert refused, again.status_code
    assert audited


@pytest.mark.parametrize("target", [f"{EVIL}/", "//evil.example/", "/\\evil.example"])
def test_x_4_the_login_page_sends_nobody_to_another_site(
    runtime: Any, web: TestClient, target: str
):
    """`next` pointing at another site is dropped: after logging in the person is on poflow."""
    with runtime.factory() as s, s.begin():
        add_login(s, "HB-0004", TEST_PASSWORD, totp=False, actor="test")
    page = web.get("/inloggen", params={"next": target})
    shown = f'value="{target}"' not in page.text
    form = {
        "csrf": csrf_of(page.text),
        "personeelsnummer": "HB-0004",
        "wachtwoord": TEST_PASSWORD,
        "next": target,
    }
    answer = web.post("/inloggen", data=form, follow_redirects=False)
    refused = shown and answer.status_code == 303 and answer.headers["location"] == "/"
    record(
        "bypass",
        variant=f"login 8 open redirect through /inloggen?next={target}",
        refused=refused,
        audited=None,
        error="safe_next",
    )
    assert refused, answer.headers.get("location")


@pytest.mark.parametrize("kind", ["origin", "csrf"])
def test_x_4_a_forged_login_post_logs_nobody_in(runtime: Any, web: TestClient, kind: str):
    """A login POST from another site's page, or without the form's CSRF value, is refused and
    counted, even with the right password."""
    with runtime.factory() as s, s.begin():
        add_login(s, "HB-0004", TEST_PASSWORD, totp=False, actor="test")
    before = _refused(runtime, kind)
    if kind == "origin":
        answer = _login(web, "HB-0004", TEST_PASSWORD, origin=EVIL)
        variant = "login 9 cross-site POST to /inloggen"
    else:
        form = {"csrf": "", "personeelsnummer": "HB-0004", "wachtwoord": TEST_PASSWORD}
        answer = web.post("/inloggen", data=form, follow_redirects=False)
        variant = "login 10 POST to /inloggen without its CSRF value"
    refused = answer.status_code == 403 and not web.cookies.get(SESSION_COOKIE)
    refused = refused and _audits(runtime, "login.succeeded") == 0
    audited = _refused(runtime, kind) == before + 1
    record("bypass", variant=variant, refused=refused, audited=audited, error=kind)
    assert refused, answer.status_code
    assert audited


def _no_role(rt: Any) -> bool:
    with rt.factory() as s:
        return "leidinggevende" not in roles_of(s, "HB-0005", "hardenberg")


def test_rec_9_a_cross_site_confirmation_of_role_grants_is_refused(
    runtime: Any, web: TestClient, tmp_path: Path
):
    """Another site's page posting Bram's confirmation of an import's grants changes nothing."""
    batch, _ = grant_by_import(runtime, tmp_path, {"HB-0005": "medewerker;leidinggevende"})
    login_as(web, runtime, "HB-0002")
    page = web.get(f"/rollen/{batch}")
    ids = [str(g) for g in _waiting(runtime)]
    before = snapshot(runtime)
    form = {"csrf": csrf_of(page.text), "besluit": "bevestigen", "aanvraag": ids}
    answer = web.post(f"/rollen/{batch}", data=form, headers={"origin": EVIL})
    after = snapshot(runtime)
    refused = answer.status_code == 403 and _no_role(runtime)
    refused = refused and after["role_grant"] == before["role_grant"]
    audited = _refused(runtime, "origin") == 1
    record(
        "bypass",
        variant="login 11 cross-site POST confirming role grants",
        refused=refused,
        audited=audited,
        error="origin",
    )
    assert refused, answer.status_code
    assert audited


def test_rec_9_the_requester_cannot_confirm_their_grants_on_the_review_page(
    runtime: Any, web: TestClient, tmp_path: Path
):
    """Carla imported a leidinggevende role: her page shows no buttons, and a crafted POST
    (another session's CSRF value, or one bound to hers) confirms nothing; both are audited."""
    batch, _ = grant_by_import(
        runtime, tmp_path, {"HB-0005": "medewerker;leidinggevende"}, actor="HB-0003"
    )
    login_as(web, runtime, "HB-0002")
    bram = web.get(f"/rollen/{batch}")
    login_as(web, runtime, "HB-0003")
    page = web.get(f"/rollen/{batch}")
    ids = [str(g) for g in _waiting(runtime)]
    form = {"csrf": csrf_of(bram.text), "besluit": "bevestigen", "aanvraag": ids}
    stolen = web.post(f"/rollen/{batch}", data=form)
    crafted = web.post(f"/rollen/{batch}", data={**form, "csrf": page_csrf(web, runtime, batch)})
    no_buttons = "Bevestigen</button>" not in page.text
    refused = no_buttons and stolen.status_code == 403 and crafted.status_code == 403
    refused = refused and "zelf aangevraagd" in crafted.text and _no_role(runtime)
    audited = _refused(runtime, "csrf") == 1
    audited = audited and _audits(runtime, "role_grant.confirm_refused") == 1
    record(
        "bypass",
        variant="login 12 requester confirms own role grants on the review page",
        refused=refused,
        audited=audited,
        error="GrantRefused",
    )
    assert refused, (stolen.status_code, crafted.status_code)
    assert audited


def _waiting(rt: Any) -> list[int]:
    with rt.factory() as s:
        return list(
            s.scalars(
                select(RoleGrant.id).where(
                    RoleGrant.confirmed_at.is_(None), RoleGrant.refused_at.is_(None)
                )
            )
        )
