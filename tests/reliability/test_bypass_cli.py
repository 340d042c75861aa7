"""Bypass attempts on the command line and the check-in (issue 20: no CLI command records a
decision for someone else; check-in held only by the leidinggevende, not before its date, P&O on
behalf only with a reason): each is refused, changes nothing, and is audited where poflow saw a
person. SQLite and PostgreSQL; results go to the reliability report."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from poflow.auth.cli_session import save_session, session_file
from poflow.auth.models import LoginSession
from poflow.cli import app
from poflow.db.models import AuditEntry, Step
from poflow.kernel.calendar import today
from poflow.states import StepState
from poflow.web import create_app
from tests.reliability.support import record
from tests.support import cli_login, move_talk
from tests.web.support import checkin_record_link, csrf_of, login_as

RUN = CliRunner()
HELD = ["checkin", "held", "NH-2027-001", "1"]
PAGE = "/checkins/NH-2027-001/1/namens"
LOGIN_FIRST = "Log eerst in: poflow login <personeelsnummer>"


def _talk_open(rt: Any) -> bool:
    with rt.factory() as session:
        step = session.scalars(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()
        return step.state == StepState.OPEN


def _audited(rt: Any, action: str, actor: str | None = None) -> int:
    with rt.factory() as session:
        query = select(AuditEntry).where(AuditEntry.action == action)
        if actor is not None:
            query = query.where(AuditEntry.actor == actor)
        return len(session.scalars(query).all())


@pytest.fixture
def rt(example_data: Any) -> Any:
    """The example data with NH-2027-001's talks planned, the first one today."""
    checkin_record_link(example_data)
    return example_data


@pytest.fixture
def client(rt: Any) -> Iterator[TestClient]:
    """The real web app on this test's database."""
    with TestClient(create_app(rt.settings)) as c:
        yield c


def test_x_4_a_cli_decision_without_login_is_refused(rt: Any) -> None:
    """`poflow checkin held` (and a recruitment step) without `poflow login` records nothing."""
    held = RUN.invoke(app, HELD)
    cancel = RUN.invoke(app, ["recruitment", "cancel", "WR-2027-0001"])
    refused = held.exit_code == 1 and LOGIN_FIRST in held.output and _talk_open(rt)
    record(
        "bypass",
        variant="cli 1 a decision on the command line without poflow login",
        refused=refused and cancel.exit_code != 0,
        audited=None,
        error="Log eerst in",
    )
    assert refused, held.output
    assert cancel.exit_code != 0


def test_x_4_a_cli_login_with_a_wrong_password_is_refused_and_audited(rt: Any) -> None:
    """`poflow login` with a wrong password gives no session file and audits login.failed."""
    cli_login(rt, "HB-0004")
    RUN.invoke(app, ["logout"])
    wrong = RUN.invoke(app, ["login", "HB-0004", "--password-stdin"], input="niet-het-wachtwoord\n")
    url = rt.settings.resolved_database_url()
    refused = wrong.exit_code == 1 and not session_file(url).exists()
    audited = _audited(rt, "login.failed", "HB-0004") == 1
    held = RUN.invoke(app, HELD)
    record(
        "bypass",
        variant="cli 2 poflow login with a wrong password",
        refused=refused and held.exit_code == 1 and _talk_open(rt),
        audited=audited,
        error="LoginRefused",
    )
    assert refused, wrong.output
    assert "Inloggen is niet gelukt" in wrong.output
    assert audited


def test_x_4_a_session_file_copied_to_another_database_or_expired_is_refused(
    rt: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dirk's session file copied under another database's name, a session value planted for
    another database, and his session after the idle timeout: none acts as Dirk."""
    from poflow.runtime import _runtime
    from poflow.settings import get_settings

    cli_login(rt, "HB-0004")
    url = rt.settings.resolved_database_url()
    other = f"sqlite:///{tmp_path / 'other.db'}"
    shutil.copy(session_file(url), session_file(other))  # the file says which database it is for
    with session_file(url).open(encoding="utf-8") as f:
        value = json.load(f)["session"]
    os.chmod(session_file(other), 0o600)
    results = []
    # 1. the copied file, read for the other database: refused as another database's
    monkeypatch.setenv("POFLOW_DATABASE_URL", other)
    get_settings.cache_clear()
    _runtime.cache_clear()
    copied = RUN.invoke(app, ["whoami"])
    results.append(copied.exit_code == 1 and "another database" in copied.output)
    # 2. the session value itself, saved for the other database: it is not a session there
    save_session(other, value)
    planted = RUN.invoke(app, ["whoami"])
    results.append(planted.exit_code == 1 and "Niet ingelogd" in planted.output)
    monkeypatch.setenv("POFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    _runtime.cache_clear()
    # 3. a session idle for longer than the timeout: ended, not used
    with rt.factory() as session, session.begin():
        stale = session.scalar(
            select(LoginSession.last_seen_at).where(LoginSession.method == "cli")
        )
        session.execute(
            update(LoginSession)
            .where(LoginSession.method == "cli")
            .values(last_seen_at=stale - timedelta(minutes=rt.settings.session_idle_minutes + 1))
        )
    expired = RUN.invoke(app, HELD)
    results.append(expired.exit_code == 1 and LOGIN_FIRST in expired.output and _talk_open(rt))
    record(
        "bypass",
        variant="cli 3 session file copied to another database, planted, or expired",
        refused=all(results),
        audited=None,
        error="no session",
    )
    assert results == [True, True, True], (copied.output, planted.output, expired.output)


def test_chk_2_check_in_held_before_its_date_is_refused_and_audited(
    rt: Any, client: TestClient
) -> None:
    """The leidinggevende himself, the day before the talk: refused by the command and the link."""
    move_talk(rt, "NH-2027-001", 1, today() + timedelta(days=1))
    cli_login(rt, "HB-0004")
    by_cli = RUN.invoke(app, HELD)
    login_as(client, rt, "HB-0002")
    page = client.get(PAGE)
    by_page = client.post(PAGE, data={"csrf": csrf_of(page.text), "reden": "Dirk is ziek."})
    refused = by_cli.exit_code == 1 and by_page.status_code == 409 and _talk_open(rt)
    audited = _audited(rt, "checkin.refused") == 2
    record(
        "bypass",
        variant="chk 1 check-in held before the talk's date (command, P&O page)",
        refused=refused,
        audited=audited,
        error="CheckinRefused",
    )
    assert refused, by_cli.output
    assert audited


def test_chk_2_check_in_held_by_someone_not_the_leidinggevende_is_refused(
    rt: Any, client: TestClient
) -> None:
    """Another leidinggevende on the command line and on P&O's page: refused, audited."""
    cli_login(rt, "HB-0006")
    by_cli = RUN.invoke(app, HELD)
    login_as(client, rt, "HB-0006")
    shown = client.get(PAGE)
    login_as(client, rt, "HB-0002")
    csrf = csrf_of(client.get(PAGE).text)
    login_as(client, rt, "HB-0006")
    by_page = client.post(PAGE, data={"csrf": csrf, "reden": "Ik doe het wel."})
    refused = (
        by_cli.exit_code == 1
        and "Alleen de leidinggevende" in by_cli.output
        and shown.status_code == 403
        and by_page.status_code == 403
        and _talk_open(rt)
    )
    audited = _audited(rt, "checkin.refused", "HB-0006") == 2
    record(
        "bypass",
        variant="chk 2 check-in held by someone not the leidinggevende (command, page)",
        refused=refused,
        audited=audited,
        error="CheckinRefused",
    )
    assert refused, by_cli.output
    assert audited


def test_chk_3_p_and_o_on_behalf_without_a_reason_is_refused(rt: Any, client: TestClient) -> None:
    """P&O's page with an empty reason answers 422 and records nothing."""
    login_as(client, rt, "HB-0002")
    page = client.get(PAGE)
    empty = client.post(PAGE, data={"csrf": csrf_of(page.text), "reden": ""})
    refused = empty.status_code == 422 and _talk_open(rt)
    record(
        "bypass",
        variant="chk 3 P&O on behalf without a reason",
        refused=refused,
        audited=None,
        error="422 reden",
    )
    assert refused
