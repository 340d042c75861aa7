"""One simulated year over the example data, built once per test session (privacy and audit).

The year runs through the real Prefect flows where they add something to Prefect's database
(the simulation flow for the busy first five weeks, the dispatcher, the introduction series,
the coaching report and the four-eyes flow on chosen days) and in-process (`run_day`, the same
tasks' work) on the remaining days, to stay within the suite's time budget. A check-in is
recorded through the web link with a confidential note. While it runs, every record of the
`poflow` loggers is kept, and every flush's state changes and audit rows are tallied per
transaction (for X-4).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from poflow.kernel.calendar import today
from tests.conftest import EXAMPLES, SmtpRecorder
from tests.support import move_talk
from tests.web.support import LINK, csrf_of, login_for_link

__all__ = ["COVERAGE", "NOTE", "Year", "simulated_year"]

NOTE = "Vertrouwelijk: zorgen thuis, mantelzorg voor moeder (notitie 7Q)"
FIRST, LAST = date(2027, 1, 4), date(2027, 12, 31)
PREFECT_DAYS = (date(2027, 3, 3), date(2027, 6, 1), date(2027, 9, 1), date(2027, 12, 1))
COVERAGE = (
    "Prefect flows: the simulation flow for 2027-01-04..2027-02-05, the dispatcher (with its "
    "run and artifact per process), "
    "the onboarding report and the three introduction series flows on 2027-03-03, "
    "06-01, 09-01 and 12-01, the "
    "four-eyes flow and the coaching report; the other days of 2027 in-process "
    "(run_day); a check-in note and a four-eyes decision through the link pages"
)
STATE_COLUMNS = ("state", "status", "outcome")
UNAUDITED = {"outbox"}  # delivery: the outbox row itself records attempts, sent_at and errors


@dataclass
class Year:
    """What the year left behind: its database, its poflow log lines and its audit tally."""

    db_path: Path
    started: datetime
    log_lines: list[str]
    prefect_db: str
    transactions: int = 0
    unaudited: list[dict[str, Any]] = field(default_factory=list)
    state_changes: int = 0
    mails: int = 0


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, rec: logging.LogRecord) -> None:
        text = rec.getMessage()
        if rec.exc_info and rec.exc_info[1] is not None:
            text += " " + logging.Formatter().formatException(rec.exc_info)
        self.lines.append(f"{rec.name} {rec.levelname} {text}")


class _AuditWatch:
    """Per transaction: which state columns changed and whether an audit row came with them."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self.pending: dict[int, dict[str, Any]] = {}

    def _slot(self, session: Session) -> dict[str, Any]:
        return self.pending.setdefault(id(session), {"changes": [], "audited": False})

    def after_flush(self, session: Session, _ctx: Any) -> None:
        from poflow.db.models import AuditEntry

        slot = self._slot(session)
        for obj in session.new:
            if isinstance(obj, AuditEntry):
                slot["audited"] = True
        for obj in [*session.new, *session.dirty]:
            table = getattr(obj, "__tablename__", "")
            if table in UNAUDITED or isinstance(obj, AuditEntry):
                continue
            state = inspect(obj)
            for col in STATE_COLUMNS:
                if col in state.attrs and (
                    obj in session.new or state.attrs[col].history.has_changes()
                ):
                    slot["changes"].append(
                        {
                            "table": table,
                            "column": col,
                            "to": str(getattr(obj, col)),
                            "new": obj in session.new,
                            "id": str(state.identity or ""),
                        }
                    )

    def orm_execute(self, ctx: Any) -> None:
        """Statements that bypass the unit of work: bulk updates, deletes and Core inserts."""
        if not (ctx.is_update or ctx.is_delete or ctx.is_insert):
            return
        table = getattr(ctx.statement, "table", None)
        name = getattr(table, "name", "")
        if name == "audit":  # audit rows written in bulk (one INSERT for a batch's actions)
            self._slot(ctx.session)["audited"] = True
            return
        if name in UNAUDITED:
            return
        values = getattr(ctx.statement, "_values", None) or {}
        cols = {getattr(k, "key", str(k)) for k in values}
        params = ctx.parameters
        for row in (params if isinstance(params, list) else [params or {}])[:1]:
            cols |= {getattr(k, "key", str(k)) for k in row}
        if ctx.is_delete or cols & set(STATE_COLUMNS):
            self._slot(ctx.session)["changes"].append(
                {
                    "table": name,
                    "column": ",".join(sorted(cols)) or "delete",
                    "to": "bulk",
                    "new": ctx.is_insert,
                }
            )

    def after_commit(self, session: Session) -> None:
        if session.get_nested_transaction() is None:  # not a savepoint being released
            self._slot(session)["committed"] = True

    def transaction_end(self, session: Session, transaction: Any) -> None:
        if transaction.parent is not None:  # a savepoint: its outer transaction decides
            return
        slot = self.pending.pop(id(session), None)
        if not slot or not slot.get("committed") or not slot["changes"]:
            return
        self.year.transactions += 1
        self.year.state_changes += len(slot["changes"])
        if not slot["audited"]:
            self.year.unaudited.extend(slot["changes"])


_CACHE: dict[str, Year] = {}


def simulated_year(tmp_root: Path) -> Year:
    """The year, built on first use in this test session (needs the Prefect harness)."""
    if "year" not in _CACHE:
        _CACHE["year"] = _build(tmp_root)
    return _CACHE["year"]


def _build(tmp_root: Path) -> Year:
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL

    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    folder = Path(tempfile.mkdtemp(prefix="poflow-year-", dir=tmp_root))
    smtp = SmtpRecorder().start()
    collect = _Collect()
    poflow_log = logging.getLogger("poflow")
    old_level = poflow_log.level
    year = Year(
        db_path=folder / "poflow.db",
        started=datetime.now(UTC) - timedelta(seconds=1),
        log_lines=collect.lines,
        prefect_db=str(PREFECT_API_DATABASE_CONNECTION_URL.value()),
    )
    watch = _AuditWatch(year)
    hooks = [
        (Session, "after_flush", watch.after_flush),
        (Session, "do_orm_execute", watch.orm_execute),
        (Session, "after_commit", watch.after_commit),
        (Session, "after_transaction_end", watch.transaction_end),
    ]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "POFLOW_DATABASE_URL": f"sqlite:///{year.db_path}",
            "POFLOW_DATA_DIR": str(folder / "data"),
            "POFLOW_SMTP_HOST": "127.0.0.1",
            "POFLOW_SMTP_PORT": str(smtp.port),
            "POFLOW_SEND_RETRIES": "0",
            "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
        }.items():
            mp.setenv(key, value)
        get_settings.cache_clear()
        _runtime.cache_clear()
        poflow_log.addHandler(collect)
        poflow_log.setLevel(logging.DEBUG)
        for target, name, fn in hooks:
            event.listen(target, name, fn)
        try:
            _run_year(get_runtime())
        finally:
            for target, name, fn in hooks:
                event.remove(target, name, fn)
            poflow_log.removeHandler(collect)
            poflow_log.setLevel(old_level)
            smtp.stop()
            year.mails = len(smtp.messages)
            get_settings.cache_clear()
            _runtime.cache_clear()
    return year


def _run_year(rt: Any) -> None:
    from poflow.db.session import upgrade_schema
    from poflow.flows.approval import await_four_eyes
    from poflow.flows.coaching import coaching_report
    from poflow.flows.dispatcher import dispatcher
    from poflow.flows.introduction import evaluatiebijeenkomst, modules, startbijeenkomst
    from poflow.flows.onboarding import onboarding_report
    from poflow.flows.simulate import simulate_days
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import run_day

    upgrade_schema(rt.settings.resolved_database_url())
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)
    simulate_days(first=FIRST, last=FIRST + timedelta(days=32), municipality="hardenberg")
    day = FIRST + timedelta(days=33)
    while day <= LAST:
        if day in PREFECT_DAYS:
            dispatcher(day=day, municipality="hardenberg")
            onboarding_report(day=day, municipality="hardenberg")
            for series in (startbijeenkomst, evaluatiebijeenkomst, modules):
                series(day=day, municipality="hardenberg")
        else:
            run_day(rt, day, municipality="hardenberg")
        if day == date(2027, 3, 2):
            _record_checkin_through_the_link(rt)
        if day == date(2027, 4, 1):
            _four_eyes(rt, await_four_eyes)
        day += timedelta(days=1)
    coaching_report(year=2027, municipality="hardenberg", as_of=date(2028, 1, 3))


def _record_checkin_through_the_link(rt: Any) -> None:
    """Dirk presses the link of NH-2027-001's first talk and writes a confidential note."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from poflow.db.models import Outbox
    from poflow.web import create_app

    with rt.factory() as session:
        body = session.scalars(
            select(Outbox.body_text).where(
                Outbox.template == "checkins/vastleggen", Outbox.case_id == "NH-2027-001"
            )
        ).first()
    assert body, "no record request was mailed for NH-2027-001"
    path = "/a/" + LINK.findall(body)[0].split("/a/", 1)[1]
    move_talk(rt, "NH-2027-001", 1, today())  # the web app's day is the real one: the talk has been
    with TestClient(create_app(rt.settings)) as client:
        login_for_link(client, path)
        page = client.get(path)
        done = client.post(path, data={"csrf": csrf_of(page.text), "notitie": NOTE})
    assert done.status_code == 200, done.text[:300]


def _four_eyes(rt: Any, await_four_eyes: Any) -> None:
    """A four-eyes decision through both links, then its flow (which finds it decided)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from poflow.approvals.requests import request_approval
    from poflow.db.models import Outbox
    from poflow.web import create_app

    required = {"leidinggevende": "HB-0004", "po_adviseur": "HB-0002"}
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", date(2027, 4, 1))
        request_approval(
            ctx,
            subject_type="offer",
            subject_id="OF-2027-001",
            required=required,
            title="Aanbod aan Lotte Hendriks",
        )
    with rt.factory() as session:
        bodies = session.scalars(
            select(Outbox.body_text).where(Outbox.case_id == "OF-2027-001")
        ).all()
    with TestClient(create_app(rt.settings)) as client:
        for body in bodies:
            path = "/a/" + LINK.findall(body)[0].split("/a/", 1)[1]
            login_for_link(client, path)
            page = client.get(path)
            client.post(
                path,
                data={
                    "csrf": csrf_of(page.text),
                    "besluit": "akkoord",
                    "toelichting": "Akkoord, Lotte Hendriks past goed.",
                },
            )
    assert await_four_eyes("offer", "OF-2027-001", "hardenberg", required) == "approved"


def copy_of(year: Year, target: Path) -> Path:
    """A private copy of the year's database file."""
    shutil.copy(year.db_path, target)
    return target
