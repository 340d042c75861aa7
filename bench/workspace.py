"""The workspace (issue 21): server time of P&O's pages for a municipality with 2,000 running
hires (goal p95 <= 300 ms over 50 requests a page), and 50 link clicks at once (goal p95 <= 200
ms); on SQLite and PostgreSQL.

Real parts: one fictional municipality (2,000 staff, 2,000 hires) loaded and planned by every
registered planner as the peak-day bench does (bench.world), the web app served by uvicorn on
loopback in as many worker processes as `poflow web` starts by default (`poflow.web.server.
run_web`, `default_workers`: one per CPU; printed with the figures), a P&O adviser logged in
through the real login form. Pages: the P&O overview and a hire's page when the app has them
(WS-OVERVIEW's `/overzicht` and `/medewerkers/<id>`); the pages the app has are timed otherwise
and named in the result (`pages`). Link clicks: 50 clients each open their own onboarding item's
link page (`/a/<token>`, minted as the digest mints them) at the same moment, two rounds of
fresh links; for comparison ten links are first opened one at a time.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["CLIENTS", "GOALS", "HIRES", "measure_workspace", "p95"]

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2027
HIRES = 2_000
STAFF = 2_000
REQUESTS = 50  # per page
CLIENTS = 50  # link clicks at once
ROUNDS = 3  # of fresh links: the first opened one at a time (10), the others CLIENTS at once
GOALS = {"workspace_p95_ms": 300.0, "links_p95_ms": 200.0}
SECRET = "bench-secret-key-for-the-workspace"  # noqa: S105  (a loopback-only bench run)
PASSWORD = "bench-wachtwoord-werkplek"  # noqa: S105  (a loopback-only bench run)
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def p95(samples: list[float]) -> float:
    """The 95th percentile (inclusive method) of the samples."""
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def _free_port() -> int:
    from poflow.localpg import free_port

    return free_port()


def _runtime(url: str, tmp: Path, port: int) -> Any:
    """Point poflow's settings at `url`, the bench's configs and the web port; a fresh runtime."""
    from poflow.db.session import make_engine
    from poflow.runtime import _runtime as cached_runtime
    from poflow.runtime import get_runtime
    from poflow.settings import get_settings

    os.environ.update(
        POFLOW_DATABASE_URL=url,
        POFLOW_CONFIG_DIR=str(tmp / "config"),
        POFLOW_DATA_DIR=str(tmp / "data"),
        POFLOW_SECRET_KEY=SECRET,
        POFLOW_WEB_HOST="127.0.0.1",
        POFLOW_WEB_PORT=str(port),
        POFLOW_BASE_URL=f"http://127.0.0.1:{port}",
    )
    get_settings.cache_clear()
    cached_runtime.cache_clear()
    make_engine.cache_clear()
    return get_runtime()


def _seed(rt: Any) -> dict[str, Any]:
    """One municipality: staff, 2,000 running hires (bench.workspace_seed); a P&O login."""
    from sqlalchemy import select

    from bench import population
    from bench.workspace_seed import seed_running_hires
    from poflow.auth.accounts import add_login
    from poflow.db.models import PersonRole
    from poflow.db.session import upgrade_schema

    upgrade_schema(rt.settings.resolved_database_url())
    pop = population.generate(year=YEAR, municipalities=1, staff=STAFF, hires=HIRES)
    began = time.perf_counter()
    hire = seed_running_hires(rt, pop, date.today())
    with rt.factory() as session, session.begin():
        adviser = session.scalars(
            select(PersonRole.person_id).where(PersonRole.role == "po_adviseur")
        ).first()
        add_login(session, str(adviser), PASSWORD, totp=False, actor="bench")
    return {"adviser": adviser, "hire": hire, "seed_s": time.perf_counter() - began}


def _links(rt: Any, count: int, used: int = 0) -> list[str]:
    """`count` fresh links of open onboarding items (after the `used` first), as the digest
    mints them: one item each."""
    from sqlalchemy import select

    from poflow.db.models import Step
    from poflow.links import mint_links
    from poflow.onboarding.links import ITEM_DONE
    from poflow.states import StepState

    with rt.factory() as session, session.begin():
        steps = session.execute(
            select(Step.id, Step.municipality, Step.case_id, Step.owner_id)
            .where(Step.process == "onb", Step.state == StepState.OPEN)
            .order_by(Step.id.desc())
            .offset(used)
            .limit(count)
        ).all()
        tokens = mint_links(
            session,
            secret=rt.settings.signing_keys(),
            links=[
                {
                    "action": ITEM_DONE,
                    "municipality": slug,
                    "case_type": "hire",
                    "case_id": hire,
                    "subject_id": owner or "bench",
                    "step_id": step,
                }
                for step, slug, hire, owner in steps
            ],
        )
    return [f"/a/{t}" for t in tokens]


def workers() -> int:
    """The web app's worker processes: `poflow web`'s default."""
    from poflow.web.server import default_workers

    return default_workers()


@contextmanager
def _server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The web app in its own processes (uvicorn, `workers()` of them), up until the block
    ends."""
    code = f"from poflow.web.server import run_web; run_web(workers={workers()})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while _get(port, "/healthz")[0] != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the web app did not start for the workspace bench")
            time.sleep(0.2)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(port: int, path: str, cookie: str = "") -> tuple[int, float]:
    """One GET on a new connection: its status and seconds (0 status when refused)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        began = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - began
    except OSError:
        return 0, 0.0
    finally:
        conn.close()


def _log_in(port: int, person_id: str) -> str:
    """Log in through the real form; the session's Cookie header."""
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        page = client.get("/inloggen")
        found = CSRF.search(page.text)
        if found is None:
            raise RuntimeError("no login form for the workspace bench")
        client.post(
            "/inloggen",
            data={"csrf": found.group(1), "personeelsnummer": person_id, "wachtwoord": PASSWORD},
        )
        session = client.cookies.get("poflow_session")
    if not session:
        raise RuntimeError(f"logging in as {person_id} failed in the workspace bench")
    return f"poflow_session={session}"


def _pages(port: int, cookie: str, hire: str) -> list[str]:
    """The overview and a hire's page when the app has them; else the pages it has."""
    wanted = ["/overzicht", f"/medewerkers/{hire}"]
    present = [p for p in wanted if _get(port, p, cookie)[0] == 200]
    return present or ["/audit", "/mails/uitgaand"]


def time_pages(port: int, cookie: str, pages: list[str]) -> dict[str, float]:
    """p95 in ms of REQUESTS GETs per page, one after another (after two to warm up)."""
    result = {}
    for path in pages:
        for _ in range(2):
            _get(port, path, cookie)
        times = []
        for _ in range(REQUESTS):
            status, seconds = _get(port, path, cookie)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status} in the workspace bench")
            times.append(seconds * 1000)
        result[path] = p95(times)
    return result


def click_links(port: int, paths: list[str]) -> list[float]:
    """Every path opened by its own client at the same moment: the milliseconds of each."""
    ready = threading.Barrier(len(paths))
    times: list[float] = [0.0] * len(paths)
    failures: list[str] = []

    def click(n: int, path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        ready.wait()
        began = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        times[n] = (time.perf_counter() - began) * 1000
        if response.status != 200:
            failures.append(f"{response.status}")
        conn.close()

    threads = [threading.Thread(target=click, args=(n, p)) for n, p in enumerate(paths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"link pages answered {sorted(set(failures))} in the workspace bench")
    return times


def _backend(kind: str, url: str, tmp: Path) -> dict[str, Any]:
    port = _free_port()
    rt = _runtime(url, tmp, port)
    seeded = _seed(rt)
    links = [_links(rt, CLIENTS, n * CLIENTS) for n in range(ROUNDS)]
    from poflow.db.session import make_engine

    make_engine(url).dispose()
    with _server(port):
        cookie = _log_in(port, seeded["adviser"])
        pages = _pages(port, cookie, seeded["hire"])
        page_p95 = time_pages(port, cookie, pages)
        clicks = [ms for paths in links[1:] for ms in click_links(port, paths)]
        alone = [click_links(port, [path])[0] for path in links[0][:10]]
    return {
        "backend": kind,
        "hires": HIRES,
        "workers": workers(),
        "seed_s": round(seeded["seed_s"], 1),
        "pages": {p.replace(seeded["hire"], "<id>"): round(v, 1) for p, v in page_p95.items()},
        "workspace_p95_ms": max(page_p95.values()),
        "links_p95_ms": p95(clicks),
        "links_max_ms": max(clicks),
        "link_alone_ms": statistics.median(alone),
    }


def measure_workspace(
    tmp: Path, backends: list[str], log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Both figures on each backend; the worst of each across them."""
    tmp.mkdir(parents=True, exist_ok=True)
    from bench import population
    from poflow.settings import PROJECT_ROOT

    towns = population.generate(year=YEAR, municipalities=1, staff=STAFF, hires=0).municipalities
    population.write_configs(towns, PROJECT_ROOT / "config" / "hardenberg", tmp / "config")
    saved = dict(os.environ)
    results = []
    try:
        for kind in backends:
            if kind == "sqlite":
                res = _backend(kind, f"sqlite:///{tmp / 'workspace.db'}", tmp)
            else:
                from bench.pg import create_database, postgres_server

                with postgres_server() as base:
                    res = _backend(kind, create_database(base, "bench_workspace"), tmp)
            log(
                f"  {kind}: {HIRES} hires loaded and planned in {res['seed_s']} s; p95 ms per "
                f"page {res['pages']} (goal <= 300); web workers {res['workers']}; {CLIENTS} link "
                f"clicks at once x {ROUNDS - 1}: "
                f"p95 {res['links_p95_ms']:.0f} ms, max {res['links_max_ms']:.0f} ms (goal <= 200; "
                f"one click alone: median {res['link_alone_ms']:.0f} ms)"
            )
            results.append(res)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "backends": results,
        "workspace_p95_ms": max(r["workspace_p95_ms"] for r in results),
        "links_p95_ms": max(r["links_p95_ms"] for r in results),
    }
