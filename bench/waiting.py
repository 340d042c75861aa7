"""Waiting rounds: what N recruitment rounds hold while they wait, and how fast a decision moves
one on (issue 19, item 6). Goals: no process and < 50 MB in all; p95 decision -> next step <= 10 s.

Real parts: a Prefect server on loopback, `poflow serve` (web app and deployments) on a SQLite
poflow database with the example staff, an SMTP sink. N rounds with a formation change are
opened and started from their deployment (in the benchmark's process, see `_start`); each runs
until it waits for the gemeentesecretaris and the OR, and suspends; then `poflow serve` starts.
Held = the processes below `poflow serve` and their memory once all
wait (the server and `poflow serve` themselves are there with or without waiting rounds, and are
reported apart). Then `sample` rounds are decided one after another through the link pages (both
people approve); resume = from the second decision's commit to the round's move to drafting,
written by its resumed flow run.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["measure_waiting_rounds"]

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"/a/([A-Za-z0-9_\-\.]+)")
START_THREADS = 8  # rounds started at once (their flows wait on the API and the database)
SECRET = "bench-secret-key-for-waiting-rounds"  # noqa: S105  (a loopback-only bench run)


def _free_port() -> int:
    from poflow.localpg import free_port

    return free_port()


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found


def _flow_processes(pid: int) -> list[int]:
    """Processes below `pid` that run flows (multiprocessing's resource tracker left out)."""
    found = []
    for child in _descendants(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmd:
            found.append(child)
    return found


def _wait(predicate: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"waiting rounds: {what} did not happen within {timeout:.0f} s")


def measure_waiting_rounds(n: int, tmp: Path, *, sample: int = 20) -> dict[str, Any]:
    """Start `n` waiting rounds, measure what they hold, decide `sample` of them; figures.

    Prefect's server keeps its runs on PostgreSQL, as in production (docs/deploy.md): on its
    SQLite default it answered 503 (its database locked) after about 800 rounds started by
    START_THREADS threads at once."""
    from bench.pg import create_database, postgres_server

    with postgres_server() as base:
        database = create_database(base, "prefect_waiting")
        asyncpg = database.replace("postgresql+psycopg://", "postgresql+asyncpg://", 1)
        saved = os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
        os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = asyncpg  # the server's, at its start
        try:
            return _measure(n, tmp, sample)
        finally:
            if saved is None:
                os.environ.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
            else:
                os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = saved


def _measure(n: int, tmp: Path, sample: int) -> dict[str, Any]:
    from aiosmtpd.controller import Controller
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from poflow.db.session import upgrade_schema
    from poflow.demo import start_prefect_server

    (tmp / "prefect").mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp / 'waiting.db'}"
    upgrade_schema(url)

    class _Discard:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            return "250 OK"

    smtp = Controller(_Discard(), hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env = {
        "POFLOW_DATABASE_URL": url,
        "POFLOW_DATA_DIR": str(tmp / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": SECRET,
        "POFLOW_WEB_PORT": str(_free_port()),
        "POFLOW_CONFIG_DIR": str(ROOT / "config"),  # the example municipalities, not the bench's
    }
    saved = {name: os.environ.get(name) for name in env}  # put back at the end
    os.environ.update(env)
    api, server = start_prefect_server(tmp / "prefect", _free_port())
    serve: subprocess.Popen[bytes] | None = None
    try:
        with temporary_settings(updates={PREFECT_API_URL: api}):
            rt = _runtime(env)
            ids = _open_rounds(rt, n)
            began = time.perf_counter()
            runs = _start(ids)
            _wait(lambda: _all_suspended(list(runs.values())), 60 + 10 * n, "all suspended")
            started_s = time.perf_counter() - began
            log = (tmp / "serve.log").open("ab")
            serve = subprocess.Popen(
                [sys.executable, "-m", "poflow", "serve", "--workers", "1"],  # web app in a thread
                env={**os.environ, "PREFECT_API_URL": api, "PYTHONUNBUFFERED": "1"},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _wait(lambda: "poflow web app" in (tmp / "serve.log").read_text(), 120, "serve")
            _wait(lambda: not _flow_processes(serve.pid), 60, "flow processes ended")
            held = _flow_processes(serve.pid)
            figures: dict[str, Any] = {
                "rounds": n,
                "start_s": round(started_s, 1),
                "held_processes": len(held),
                "held_mb": round(sum(_rss_mb(p) for p in held), 1),
                "serve_mb": round(_rss_mb(serve.pid), 1),
                "prefect_server_mb": round(_rss_mb(server.pid), 1) if server else None,
            }
            delays = [_decide_and_time(rt, rid) for rid in ids[:sample]]
            figures["resume_median_s"] = round(statistics.median(delays), 2)
            figures["resume_p95_s"] = round(_p95(delays), 2)
            figures["resumed"] = len(delays)
            return figures
    finally:
        if serve is not None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serve.kill()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        smtp.stop()
        for name, value in saved.items():  # the caller's environment as it was
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _runtime(env: dict[str, str]) -> Any:
    from poflow.importer import import_staff
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    get_settings.cache_clear()
    _runtime.cache_clear()
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        import_staff(session, ROOT / "examples" / "staff.csv", rt.configs)
    return rt


def _open_rounds(rt: Any, n: int) -> list[str]:
    from poflow.recruitment import rounds
    from poflow.runtime import today

    ids = []
    for _ in range(n):
        with rt.factory() as session, session.begin():
            ctx = rt.context(session, "hardenberg", today(), actor="bench")
            rnd = rounds.open_round(
                ctx,
                team="Ruimtelijk domein",
                function="Beleidsadviseur wonen",
                fte=0.89,
                formation_change=True,
                po_id="HB-0002",
                mt_lid_id="HB-0004",
                leidinggevende_id="HB-0004",
                colleague_id="HB-0005",
            )
            ids.append(rnd.id)
    return ids


def _start(ids: list[str]) -> dict[str, str]:
    """Each round's first run, from the round deployment, until it suspends: in this process,
    START_THREADS at a time, as a worker would run it (`prefect.flow_engine.run_flow` of a run made
    from the deployment), without starting a Python process per round (about 7 s each on this
    machine). What is measured, what the rounds hold once suspended and a decision's resume,
    goes through `poflow serve`, started after."""
    from concurrent.futures import ThreadPoolExecutor

    from prefect.client.orchestration import get_client
    from prefect.exceptions import Pause
    from prefect.flow_engine import run_flow
    from prefect.states import Pending

    from poflow.flows.recruitment import ROUND_DEPLOYMENT, deployments, recruitment_round

    name = ROUND_DEPLOYMENT.split("/")[1]
    deployment_id = next(d for d in deployments() if d.name == name).apply()

    def first_run(rid: str) -> str:
        parameters = {"round_id": rid}
        with get_client(sync_client=True) as client:
            flow_run = client.create_flow_run_from_deployment(
                deployment_id, parameters=parameters, state=Pending()
            )
        # The run suspends: it leaves by Prefect's Pause, as prefect.engine's entry expects.
        with contextlib.suppress(Pause):
            run_flow(recruitment_round, flow_run=flow_run, parameters=parameters)
        return str(flow_run.id)

    with ThreadPoolExecutor(START_THREADS) as pool:
        # Each in a copy of this thread's context: it holds the Prefect settings (the API URL).
        started = [pool.submit(contextvars.copy_context().run, first_run, rid) for rid in ids]
        return {rid: future.result() for rid, future in zip(ids, started, strict=True)}


def _all_suspended(run_ids: list[str]) -> bool:
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    paused = 0
    with get_client(sync_client=True) as client:
        for start in range(0, len(run_ids), 200):
            batch = [UUID(i) for i in run_ids[start : start + 200]]
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=batch)), limit=200
            )
            paused += sum(1 for r in runs if r.state is not None and r.state.is_paused())
    return paused == len(run_ids)


def _decider(rt: Any, token: str) -> Any:
    """The logged-in person a decision link was mailed to (the page checks it is them)."""
    from sqlalchemy import select

    from poflow.auth.viewer import Viewer
    from poflow.db.models import Person
    from poflow.link_tokens import read_token
    from poflow.links import ActionLink

    public_id, _ = read_token(rt.settings.signing_keys(), token)
    with rt.factory() as session:
        row = session.scalars(select(ActionLink).where(ActionLink.public_id == public_id)).one()
        person = session.get_one(Person, row.subject_id)
        return Viewer(
            person_id=person.id,
            municipality=person.municipality,
            name=person.full_name,
            roles=frozenset(person.role_names),
            method="local",
        )


def _decide_and_time(rt: Any, rid: str) -> float:
    """Both formation deciders approve by link; seconds until the round's flow moved it on."""
    from sqlalchemy import select

    from poflow.db.models import Outbox
    from poflow.recruitment.models import RecruitmentRound
    from poflow.web.service import LinkPages

    with rt.factory() as session:
        bodies = session.scalars(
            select(Outbox.body_text).where(
                Outbox.case_id == rid, Outbox.template == "approvals/approval_request"
            )
        ).all()
    pages = LinkPages(rt)
    for text in bodies:
        token = LINK.findall(text)[0]
        viewer = _decider(rt, token)  # a decision needs its person's login: theirs
        page = pages.show(token, None, viewer=viewer)
        pages.act(
            token,
            {"csrf": [page.context["csrf"]], "besluit": ["akkoord"]},
            page.nonce,
            viewer=viewer,
        )
    decided = time.perf_counter()

    def moved() -> bool:
        with rt.factory() as session:
            return session.get(RecruitmentRound, rid).state.value != "formation"

    _wait(moved, 120, f"round {rid} moving on")
    return time.perf_counter() - decided
