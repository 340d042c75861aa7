"""Server time of P&O's workspace pages (issue 21): the overview `/overzicht` and a hire's page
`/medewerkers/<id>` for one municipality with many running hires, on SQLite or PostgreSQL.

`measure_workspace` seeds the hires with the real importer and planner (and performs the day's
work, so the outbox and audit hold what a running municipality's do) for 50 of them and clones
their rows for the others (bench/workspace_seed.py), logs a P&O adviser in
through the login form, and times the pages through the app (FastAPI's TestClient: the server's
own time, no network). `python -m bench.workspace [N]` prints the figures for both databases.
"""

from __future__ import annotations

import csv
import math
import os
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.workspace_seed import bench_id, clone_hires, settle, templates_for

__all__ = ["measure_workspace", "p95"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PO_ADVISER = "HB-0002"  # Bram de Wit, P&O adviser of the example municipality Hardenberg
PLANNED = 50  # hires planned for real; the others are clones of these (bench/workspace_seed.py)
PASSWORD = "een-lang-benchwachtwoord"  # noqa: S105  (a throwaway login of the bench database)
TEAMS = (
    ("Ruimtelijk domein", "HB-0004", "HB-0005"),
    ("Maatschappelijk domein", "HB-0006", "HB-0007"),
)


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _use(url: str, tmp: Path) -> Any:
    """Point poflow's settings at `url`; return a fresh runtime on a migrated schema."""
    from poflow.db.session import make_engine, upgrade_schema
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    os.environ.update(
        POFLOW_DATABASE_URL=url,
        POFLOW_DATA_DIR=str(tmp / "data"),
        POFLOW_SECRET_KEY="bench-secret-key-not-for-production",
        POFLOW_SMTP_PORT="1",  # nothing is sent: the day's mails stay queued
    )
    get_settings.cache_clear()
    _runtime.cache_clear()
    make_engine.cache_clear()
    upgrade_schema(url)
    return get_runtime()


def _hires_csv(path: Path, count: int, numbers: list[int], day: date, calendar: Any) -> None:
    """Rows `numbers` of `count` fictional Hardenberg hires starting from five months before
    `day` to two after."""
    span = 210
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            (EXAMPLES / "hires.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        )
        for i in numbers:
            team, manager, buddy = TEAMS[i % 2]
            start = calendar.next_working_day(day + timedelta(days=(i * span) // count - 150))
            writer.writerow(
                [
                    bench_id(i),
                    f"Bench{i}",
                    "Testpersoon",
                    f"bench{i}@example.org",
                    f"bench{i}@hardenberg.example.nl",
                    team,
                    "Medewerker",
                    manager,
                    buddy,
                    "vast",
                    "",
                    start.isoformat(),
                    "hardenberg",
                ]
            )


def _seed(rt: Any, tmp: Path, count: int, day: date) -> None:
    """Plan PLANNED hires (spread over the start dates) with the importer and planner and run
    their day, then clone them into `count` hires (bench/workspace_seed.py)."""
    from poflow.auth.accounts import add_login
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import run_day

    plan = templates_for(count, PLANNED)
    _hires_csv(tmp / "hires.csv", count, sorted(plan), day, rt.config("hardenberg").calendar)
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, tmp / "hires.csv", rt.configs)
        add_login(session, PO_ADVISER, PASSWORD, totp=False, actor="bench")
    workday = day
    while not rt.config("hardenberg").calendar.is_working_day(workday):
        workday -= timedelta(days=1)
    run_day(rt, workday, municipality="hardenberg", send=False)  # plan, perform, seal
    clone_hires(rt, plan)
    settle(rt)


def _log_in(client: Any) -> None:
    page = client.get("/inloggen").text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    if found is None:
        raise RuntimeError("no CSRF value on the login page")
    answer = client.post(
        "/inloggen",
        data={"csrf": found.group(1), "personeelsnummer": PO_ADVISER, "wachtwoord": PASSWORD},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"logging in failed: {answer.status_code}")


def _time(client: Any, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        start = time.perf_counter()
        answer = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code}")
    return out


def measure_workspace(
    url: str, tmp: Path, *, hires: int = 2000, requests: int = 50
) -> dict[str, float]:
    """Seed `hires` running hires of Hardenberg into the empty database at `url` (files under
    `tmp`), then time `requests` GETs of the overview (page 1, then the filters and pages in
    turn) and of `requests` different hires' pages. Returns the p95 and median in ms:
    {"overview_p95_ms", "overview_median_ms", "hire_p95_ms", "hire_median_ms", "seed_s"}."""
    from fastapi.testclient import TestClient

    from poflow.kernel.calendar import today
    from poflow.web import create_app

    rt = _use(url, tmp)
    started = time.perf_counter()
    _seed(rt, tmp, hires, today())
    seeded = time.perf_counter() - started
    views = [
        "/overzicht",
        "/overzicht?te_laat=1",
        "/overzicht?pagina=2",
        "/overzicht?team=Ruimtelijk+domein",
    ]
    with TestClient(create_app(rt.settings)) as client:
        _log_in(client)
        _time(client, [views[0], "/medewerkers/NH-B-00000"])  # warm up
        overview = _time(client, [views[i % len(views)] for i in range(requests)])
        step = max(1, hires // requests)
        hire = _time(
            client, [f"/medewerkers/NH-B-{(i * step) % hires:05d}" for i in range(requests)]
        )
    return {
        "overview_p95_ms": round(p95(overview), 1),
        "overview_median_ms": round(sorted(overview)[len(overview) // 2], 1),
        "hire_p95_ms": round(p95(hire), 1),
        "hire_median_ms": round(sorted(hire)[len(hire) // 2], 1),
        "seed_s": round(seeded, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures for SQLite and PostgreSQL (N hires, default 2000)."""
    from bench.pg import create_database, postgres_server

    args = argv if argv is not None else sys.argv[1:]
    count = int(args[0]) if args else 2000
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory(prefix="poflow-bench-ws-") as name:
        tmp = Path(name)
        (tmp / "sqlite").mkdir()
        lite = measure_workspace(
            f"sqlite:///{tmp / 'sqlite' / 'poflow.db'}", tmp / "sqlite", hires=count
        )
        print(f"sqlite hires={count} {lite}")
        with postgres_server() as base:
            (tmp / "pg").mkdir()
            pg = measure_workspace(create_database(base, "workspace"), tmp / "pg", hires=count)
            print(f"postgresql hires={count} {pg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
