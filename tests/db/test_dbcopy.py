"""`poflow db copy --to URL`: a municipality moves from the SQLite default to PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from poflow.db.models import Action, Hire, Outbox
from poflow.states import MailState
from tests.conftest import EXAMPLES, SmtpRecorder, create_pg_database

pytestmark = pytest.mark.postgres


def use(monkeypatch: pytest.MonkeyPatch, url: str, data: Path, smtp: SmtpRecorder) -> Any:
    """Point poflow at `url` and the test's SMTP server; a fresh runtime."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    for key, value in {
        "POFLOW_DATABASE_URL": url,
        "POFLOW_DATA_DIR": str(data),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    return get_runtime()


@pytest.fixture
def populated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str, smtp: SmtpRecorder
) -> Any:
    """A SQLite installation with the example staff and hires that has sent its first mails."""
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import run_day

    rt = use(monkeypatch, sqlite_url, tmp_path / "data", smtp)
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)
    run_day(rt, date(2027, 1, 4))
    return rt


def counts(rt: Any) -> dict[str, int]:
    """Rows of a few tables that matter to a user."""
    with rt.factory() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in (Hire, Action, Outbox)
        }


def test_x_1_a_copied_database_sends_nothing_twice(
    populated: Any,
    pg_server: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    smtp: SmtpRecorder,
):
    """After `poflow db copy`, ticks on PostgreSQL resend nothing and go on where SQLite was."""
    from poflow.cli import app
    from poflow.runtime import run_day

    before, sent_before = counts(populated), len(smtp.messages)
    assert sent_before > 0
    target = create_pg_database(pg_server)
    result = CliRunner().invoke(app, ["db", "copy", "--to", target])
    assert result.exit_code == 0, result.output
    assert "Copied" in result.output
    rt = use(monkeypatch, target, tmp_path / "data", smtp)
    assert counts(rt) == before
    assert run_day(rt, date(2027, 1, 4))["sent"] == 0
    run_day(rt, date(2027, 1, 5))  # new rows get ids past the copied ones
    later = run_day(rt, date(2027, 2, 1))
    assert later["failed"] == 0
    assert later["sent"] > 0
    ids = [str(m["Message-ID"]) for m in smtp.messages]
    assert len(ids) == len(set(ids))
    with rt.factory() as session:
        assert session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state == MailState.SENT)
        ) == len(smtp.messages)


def test_x_1_copy_refuses_a_target_that_holds_rows(populated: Any, pg_server: str):
    """A second copy into the same database is refused and changes nothing there."""
    from poflow._exceptions import DatabaseCopyRefused
    from poflow.dbcopy import copy_database

    source = populated.settings.resolved_database_url()
    target = create_pg_database(pg_server)
    copied = copy_database(source, target)
    assert copied["hire"] == 4
    assert copied["outbox"] > 0
    with pytest.raises(DatabaseCopyRefused, match="already holds rows in"):
        copy_database(source, target)
