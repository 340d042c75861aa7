"""Helpers and fixtures shared by the link, web, approval and browser tests (no mocks)."""

from __future__ import annotations

import contextvars
import http.client
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from poflow.db.base import Base
from poflow.db.models import Action, AuditEntry, Hire, Outbox, Person, PersonRole, RefusalTally
from poflow.kernel.calendar import today
from poflow.links import ActionLink
from tests.conftest import EXAMPLES
from tests.support import move_talk

SECRET = "test-secret-key-for-poflow-tests"
LINK = re.compile(r"https?://[^\s\"<>]+/a/[A-Za-z0-9_.\-]+")
DIRK = "dirk.mulder@hardenberg.example.nl"  # HB-0004, leidinggevende of NH-2027-001
RECORD_DAY = date(2027, 3, 2)  # the day Dirk is asked to record the 1-month talk of NH-2027-001
FORGED = "eyJsIjoiMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAifQ.bm90LXNpZ25lZC1ieS11cw"  # no link


def link_in_mail(msg: EmailMessage) -> str:
    """The action link in a received mail's plain-text part."""
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.findall(body.get_content())
    assert len(found) == 1, found
    return found[0]


def path_of(url: str) -> str:
    """The path of a link, for the TestClient."""
    return "/a/" + url.split("/a/", 1)[1]


def checkin_record_link(rt: Any) -> str:
    """Plan NH-2027-001's check-ins and perform the "vastleggen" action due on RECORD_DAY, with
    the engine's own planner and handler (other processes stay out); return the link mailed. The
    talk is then moved to today, so that the link may record it (CHK-2)."""
    from poflow.checkins.handlers import ask_to_record
    from poflow.checkins.planner import plan_checkins
    from poflow.checkins.rules import RECORD

    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", RECORD_DAY)
        plan_checkins(ctx, session.get(Hire, "NH-2027-001"))
        action = session.scalars(
            select(Action)
            .where(Action.kind == RECORD, Action.case_id == "NH-2027-001")
            .order_by(Action.due_date)
        ).first()
        assert action is not None
        assert action.due_date == RECORD_DAY
        assert ask_to_record(ctx, action)
        row = session.scalars(select(Outbox).where(Outbox.template == "checkins/vastleggen")).one()
        found = LINK.findall(row.body_text)
    assert len(found) == 1
    assert row.recipient_email == DIRK
    # The talk took place today: the link may record it now (CHK-2: not before the talk's date).
    move_talk(rt, "NH-2027-001", 1, today())
    return found[0]


def snapshot(rt: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every poflow table, to compare before and after a request."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with rt.factory() as session:
        for table in Base.metadata.sorted_tables:
            rows = session.execute(text(f'SELECT * FROM "{table.name}"')).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def refused_requests(rt: Any) -> list[dict[str, Any]]:
    """Every refused request recorded (X-4), one entry per request, in the order their buckets
    were first audited: each audit row `link.refused` of the web app with the count of its
    tally bucket (source, minute, reason, method, link). A bucket without its audit row, or an
    audit row without its bucket, fails the test."""
    with rt.factory() as session:
        audits = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "link.refused", AuditEntry.actor == "web")
            .order_by(AuditEntry.id)
        ).all()
        tallies = {
            (t.minute.isoformat(), t.source, t.reason, t.method, t.entity_id): t.count
            for t in session.scalars(select(RefusalTally))
        }
    out: list[dict[str, Any]] = []
    for row in audits:
        d = row.detail
        key = (d["minute"], d["source"], d["reason"], d["method"], row.entity_id)
        assert key in tallies, f"audit row {row.id} has no tally bucket {key}"
        out += [{"entity": row.entity_id, "actor": row.actor, **d}] * tallies.pop(key)
    assert not tallies, f"tally buckets without their audit row: {list(tallies)}"
    return out


def add_person(rt: Any, person_id: str, roles: list[str], given: str, family: str) -> None:
    """A fictional staff member of Hardenberg with `roles`."""
    with rt.factory() as session, session.begin():
        session.add(
            Person(
                id=person_id,
                municipality="hardenberg",
                given_name=given,
                family_name=family,
                team="P&O",
                email=f"{given.lower()}.{family.lower()}@hardenberg.example.nl",
            )
        )
        session.flush()
        for role in roles:
            session.add(PersonRole(person_id=person_id, municipality="hardenberg", role=role))


def csrf_of(html: str) -> str:
    """The CSRF value of a confirmation page."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def heading(html: str) -> str:
    """The page's h1 text."""
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found
    return found.group(1).strip()


# -- logging in ------------------------------------------------------------------------------
TEST_PASSWORD = "een-lang-testwachtwoord"  # the local password login_as gives a person


def login_as(client: Any, runtime: Any, person_id: str) -> None:
    """Log the TestClient in as `person_id` through the real /inloggen form: the person gets a
    local login with TEST_PASSWORD first when they have none (or another password)."""
    from poflow.auth.accounts import HASHER, add_login, login_of, reset_login
    from poflow.web.identity import SESSION_COOKIE

    with runtime.factory() as session, session.begin():
        login = login_of(session, person_id)
        if login is None:
            add_login(session, person_id, TEST_PASSWORD, totp=False, actor="test")
        elif not _password_is(HASHER, login.password_hash, TEST_PASSWORD) or login.totp_secret:
            reset_login(session, person_id, TEST_PASSWORD, totp=False, actor="test")
    client.cookies.delete(SESSION_COOKIE)
    page = client.get("/inloggen")
    assert page.status_code == 200, page.status_code
    answer = client.post(
        "/inloggen",
        data={
            "csrf": csrf_of(page.text),
            "personeelsnummer": person_id,
            "wachtwoord": TEST_PASSWORD,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, (answer.status_code, heading(answer.text))
    assert client.cookies.get(SESSION_COOKIE), "no session cookie after logging in"
    client.poflow_person = person_id  # login_for_link logs in again only for someone else


def login_for_link(client: Any, url: str, runtime: Any = None) -> str | None:
    """Log the client in as the person a link was mailed to when its action needs a login
    (poflow.links.LinkAction.needs_login); that person's id, or None (no login needed, or no
    link behind the URL)."""
    from poflow.link_tokens import read_token

    rt = runtime or client.app.state.runtime
    public_id, _ = read_token(rt.settings.signing_keys(), url.rsplit("/a/", 1)[-1])
    with rt.factory() as session:
        row = session.scalar(select(ActionLink).where(ActionLink.public_id == public_id))
    action = rt.registry.link_actions.get(row.action) if row is not None else None
    if row is None or action is None or not action.needs_login:
        return None
    from poflow.web.identity import SESSION_COOKIE

    if getattr(client, "poflow_person", None) != row.subject_id or not client.cookies.get(
        SESSION_COOKIE
    ):
        login_as(client, rt, row.subject_id)
    return str(row.subject_id)


def subject_viewer(rt: Any, token: str) -> Any:
    """The Viewer of the person a link was mailed to, when its action needs a login (for tests
    that drive poflow.web.service.LinkPages directly, below the HTTP login); else None."""
    from poflow.auth.viewer import Viewer
    from poflow.link_tokens import read_token

    public_id, _ = read_token(rt.settings.signing_keys(), token.rsplit("/a/", 1)[-1])
    with rt.factory() as session:
        row = session.scalar(select(ActionLink).where(ActionLink.public_id == public_id))
        action = rt.registry.link_actions.get(row.action) if row is not None else None
        if row is None or action is None or not action.needs_login:
            return None
        person = session.get(Person, row.subject_id)
        if person is None:
            return None
        return Viewer(
            person_id=person.id,
            municipality=person.municipality,
            name=person.full_name,
            roles=frozenset(person.role_names),
            method="local",
        )


def _password_is(hasher: Any, password_hash: str | None, password: str) -> bool:
    try:
        return bool(password_hash) and hasher.verify(password_hash, password)
    except Exception:  # noqa: BLE001  (any mismatch or a hash of another kind: not this password)
        return False


# -- a fast Hardenberg database: migrated and imported once, copied for each test --------------
@pytest.fixture(scope="session")
def example_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema and the shared example staff and hires, made once."""
    from poflow.config import load_all
    from poflow.db.session import make_engine, session_scope, upgrade_schema
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import config_sections
    from poflow.settings import Settings

    path = tmp_path_factory.mktemp("template") / "poflow.db"
    url = f"sqlite:///{path}"
    upgrade_schema(url)
    configs = load_all(Settings().config_dir, config_sections())
    with session_scope(url) as session:
        import_staff(session, EXAMPLES / "staff.csv", configs)
        import_hires(session, EXAMPLES / "hires.csv", configs)
    make_engine(url).dispose()  # checkpoints the WAL into the file
    return path


@pytest.fixture
def hardenberg(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp: Any, example_db_template: Path
) -> Iterator[Any]:
    """The runtime on a private copy of the example database, with this test's SMTP server."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    shutil.copy(example_db_template, tmp_path / "poflow.db")
    env = {
        "POFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'poflow.db'}",
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": SECRET,
        "XDG_STATE_HOME": str(tmp_path / "state"),  # `poflow login`'s session file
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    yield get_runtime()
    get_settings.cache_clear()
    _runtime.cache_clear()


@pytest.fixture
def web_server(example_data: Any) -> Iterator[Any]:
    """The web app of `example_data` (SQLite, then PostgreSQL) served by uvicorn on a free
    loopback port, warmed up by one refused request (so the first measured one is not)."""
    from poflow.web import serve_web_in_thread

    web = serve_web_in_thread(example_data.settings, port=0)
    try:
        conn = http.client.HTTPConnection(web.host, web.port, timeout=10)
        conn.request("GET", f"/a/{FORGED}")
        assert conn.getresponse().status == 400
        conn.close()
        yield web
    finally:
        web.stop()


# -- Prefect flows in a thread --------------------------------------------------------------
def run_in_thread(fn: Any, **kwargs: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `fn(**kwargs)` in a thread that keeps this thread's Prefect settings."""
    out: dict[str, Any] = {}
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(lambda: out.setdefault("result", fn(**kwargs)),), daemon=True
    )
    thread.start()
    return thread, out


def flow_state(run_id: str) -> Any:
    """The current state of a flow run, read from the Prefect API."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as prefect:
        return prefect.read_flow_run(run_id).state
