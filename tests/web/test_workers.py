"""The web app served by several worker processes (`poflow web --workers N`, `poflow serve`):
every worker answers the link pages from the same database, on loopback only, and a key anyone
may know is still refused before anything listens."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from poflow._exceptions import InsecureSecret
from poflow.db.models import RefusalTally
from poflow.localpg import free_port
from poflow.settings import DEVELOPMENT_KEY
from poflow.web.server import run_web, serve_web_in_processes
from tests.web.support import FORGED, checkin_record_link, path_of


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    return [int(p) for p in text.split()]


def _listening(port: int) -> list[str]:
    """The local addresses (hex, as /proc/net/tcp* writes them) listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.append(address)
    return found


def test_two_worker_processes_serve_the_link_pages_on_loopback(example_data: Any):
    """Two worker processes answer the link and login pages and count a refusal in the shared
    database, listening on loopback only, and stop with their parent."""
    rt = example_data
    path = path_of(checkin_record_link(rt))
    port = free_port()
    web = serve_web_in_processes(rt.settings, workers=2, port=port)
    try:
        # run_web runs in the child: uvicorn's supervisor, with two spawned workers under it
        # (and multiprocessing's resource tracker beside them).
        workers = [w for w in _children(web.process.pid) if "spawn_main" in _cmdline(w)]
        assert len(workers) == 2, workers
        assert _listening(port) == ["0100007F"]  # 127.0.0.1, nothing else
        # The link needs a login (a talk is recorded by its manager): each worker verifies
        # the token and sends the browser to the login page; a forged token is refused.
        answers = [_get(port, path) for _ in range(6)]
        assert {status for status, _ in answers} == {303}
        assert _get(port, "/inloggen")[0] == 200
        assert _get(port, f"/a/{FORGED}")[0] == 400
        with rt.factory() as session:
            counted = session.scalar(select(func.sum(RefusalTally.count)))
        assert counted == 1
    finally:
        web.stop()
    assert web.process.returncode is not None
    assert _listening(port) == []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def test_several_workers_refuse_a_known_key_off_loopback(example_data: Any):
    """`run_web(workers=2)` with the development key on 0.0.0.0 raises InsecureSecret before it
    listens, as one process does."""
    settings = example_data.settings.model_copy(update={"secret_key": SecretStr(DEVELOPMENT_KEY)})
    with pytest.raises(InsecureSecret, match=r"listens on 0\.0\.0\.0"):
        run_web(settings, host="0.0.0.0", port=free_port(), workers=2)  # noqa: S104  (refused)


def _sessions_opened(url: str) -> int:
    """How many connections the PostgreSQL database has accepted so far (pg_stat_database)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            sql = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def _burst(port: int, path: str, clicks: int) -> list[int]:
    """`clicks` GETs of `path`, each by its own client at the same moment: their statuses."""
    ready = threading.Barrier(clicks)
    answers: list[int] = []

    def click() -> None:
        ready.wait()
        answers.append(_get(port, path)[0])

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_burst_of_link_clicks_reuses_the_workers_connections(example_data: Any, db_url: str):
    """40 clicks at once on one worker, three times: the worker runs at most POOL_SIZE of them
    in threads at once, so they share the connections it keeps and open none to close after.
    (With anyio's 40 threads, each burst opened and closed up to POOL_SIZE more: measured 83
    sessions over six bursts of 50 against 15.)"""
    from poflow.db.session import POOL_SIZE

    rt = example_data
    path = path_of(checkin_record_link(rt))
    port = free_port()
    web = serve_web_in_processes(rt.settings, workers=1, port=port)
    try:
        assert _get(port, path)[0] == 303  # started; the link needs a login
        before = _sessions_opened(db_url)
        for _ in range(3):
            assert _burst(port, path, 40) == [303] * 40
        opened = _sessions_opened(db_url) - before - 1  # less the count's own
    finally:
        web.stop()
    assert opened <= POOL_SIZE, f"{opened} connections opened for 120 clicks"
