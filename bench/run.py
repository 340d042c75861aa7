"""`python -m bench`: measure poflow at national scale against baselines of the same run.

Stages per database (SQLite, then PostgreSQL): load the population, plan the January cohort with
the registered planners until the peak day holds the target number of due actions, then the peak
day end to end (run_day: plan, perform, send to a loopback sink in its own process), an idle tick,
the raw floor, importing 10,000 hires; on PostgreSQL also the peak day split across N Prefect
workers on simulated hosts (a work pool, a Prefect server on PostgreSQL: bench/pool.py) against
one, on copies of the database; on SQLite the naive peer (one Prefect task per
employee) on a sample. Results and how to read them: docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from bench import population, world
from bench.measure import Stage, stage
from bench.sink import SinkProcess

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2027
GOALS = {
    "idle_tick_s": 2.0,
    "peak_day_s": 300.0,
    "per_action_vs_floor": 2.0,
    "naive_vs_poflow": 100.0,
    "import_10k_s": 10.0,
}


class _Log(list):
    """Lines of the report, printed as they come."""

    def append(self, line: str) -> None:
        print(f"  {line}", flush=True)
        super().append(line)


def _free_port() -> int:
    from bench.pg import _free_port as free

    return free()


def _use(url: str, tmp: Path, smtp_port: int) -> Any:
    """Point poflow's settings at `url` and the sink; return a fresh runtime."""
    from poflow.db.session import make_engine
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    os.environ.update(
        POFLOW_DATABASE_URL=url,
        POFLOW_SMTP_PORT=str(smtp_port),
        POFLOW_CONFIG_DIR=str(tmp / "config"),
        POFLOW_DATA_DIR=str(tmp / "data"),
        POFLOW_SECRET_KEY="bench-secret-key-not-for-production",
    )
    get_settings.cache_clear()
    _runtime.cache_clear()
    make_engine.cache_clear()
    return get_runtime()


def _prepare(
    rt: Any, pop: population.Population, *, target: int, history: int, log: list[str]
) -> tuple[date, int, date]:
    """Load, plan the January cohort until the peak day holds `target` actions.

    Returns the peak day, its due actions, and the cohort's import day: the first day with
    work, when its invitations go out (the busiest day for mail).
    """
    with stage("load") as s:
        world.load(rt, pop)
    log.append(f"load {len(pop.people)} staff, {len(pop.hires)} hires: {s.seconds:.1f} s")
    cohort = [h["id"] for h in pop.hires if h["start_date"] == date(YEAR, 1, 1)]
    planned, peak, due = 0, date(YEAR, 1, 4), 0
    seconds = 0.0
    while planned < len(cohort) and due < target:
        chunk = cohort[planned : planned + 100]
        seconds += world.plan_hires_as_imported(rt, chunk)
        planned += len(chunk)
        per_day = world.due_per_day(rt)
        peak, due = max(per_day.items(), key=lambda kv: kv[1])
    log.append(
        f"planned {planned} hires with every registered planner in {seconds:.1f} s "
        f"({seconds / max(planned, 1) * 1000:.0f} ms a hire)"
    )
    with stage("history") as s:
        rows = world.history(rt, per_hire=history, before=min(world.due_per_day(rt)))
    log.append(f"{rows} done actions of the past for the other hires: {s.seconds:.1f} s")
    per_day = world.due_per_day(rt)
    mail_day = min(per_day)
    log.append(f"peak day {peak}: {per_day[peak]} due actions {world.by_kind(rt, peak)}")
    log.append(
        f"mail day {mail_day}: {per_day[mail_day]} due actions {world.by_kind(rt, mail_day)}"
    )
    log.append(f"table sizes: {world.counts(rt)}")
    return peak, per_day[peak], mail_day


def _floor(
    rt: Any,
    day: date,
    port: int,
    *,
    after_id: int = 0,
    children: list[int] | None = None,
    server: int | None = None,
) -> tuple[Stage, int]:
    """Plain SQL select of the due rows + smtplib sending the same messages, one connection.

    The messages are the outbox rows poflow sent for `day` (ids above `after_id`).
    """
    import smtplib

    from sqlalchemy import select, text

    from poflow.db.models import Outbox
    from poflow.mail.sending import compose
    from poflow.states import MailState

    with stage("floor", children=children, server=server) as s:
        with rt.factory() as session:
            due = session.execute(
                text("SELECT id, kind, case_id, step_id FROM action WHERE due_date = :d"),
                {"d": day},
            ).all()
            rows = session.scalars(
                select(Outbox).where(Outbox.state == MailState.SENT, Outbox.id > after_id)
            ).all()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for row in rows:
                smtp.send_message(
                    compose(row), from_addr=row.sender_email, to_addrs=[row.recipient_email]
                )
    return s, len(due)


FLOOR_RUNS = 3  # the floor is cheap: its median damps this machine's run-to-run spread
PEAK_RUNS = 3  # the peak day too: twice on copies of the database made just before it, then
# on the database itself (the later stages go on from there)


def _copy_sqlite(url: str, to: Path) -> str:
    """A copy of a SQLite database (its engine disposed first, so the WAL is checkpointed),
    written out to disk before it is returned (see bench.pg.clone_database)."""
    shutil.copy(Path(url.split("///", 1)[1]), to)
    os.sync()
    return f"sqlite:///{to}"


def _server_of(url: str) -> int | None:
    """The PostgreSQL server's postmaster when it runs here (its CPU is counted), else None."""
    if url.startswith("sqlite"):
        return None
    from bench.pg import server_pid

    return server_pid(url)


def _peak_and_floor(rt: Any, url: str, tmp: Path, day: date, sink: SinkProcess, after_id: int):
    """The peak day by poflow on `rt`, then at once the raw floor sending the same messages
    (ABAB: a noisy neighbour slows both sides alike); both stages with wall and CPU seconds."""
    from poflow.runtime import run_day

    server = _server_of(url)
    with stage("peak", children=[sink.proc.pid], server=server) as peak:
        totals = run_day(rt, day)
    floor_sink = SinkProcess(_free_port(), tmp)
    try:
        floor, selected = _floor(
            rt, day, floor_sink.port, after_id=after_id, children=[floor_sink.proc.pid],
            server=server,
        )  # fmt: skip
    finally:
        floor_sink.stop()
    return peak, totals, floor, selected


def _peak_on_copy(url: str, tmp: Path, day: date, after_id: int) -> tuple[Stage, Stage]:
    """The peak day and its floor (_peak_and_floor) on a copy of the database, to fresh sinks.
    The copy is dropped afterwards."""
    from poflow.db.session import make_engine

    sink = SinkProcess(_free_port(), tmp)
    try:
        rt = _use(url, tmp, sink.port)
        peak, _, floor, _ = _peak_and_floor(rt, url, tmp, day, sink, after_id)
    finally:
        sink.stop()
        make_engine(url).dispose()
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink()
    else:
        from bench.pg import drop_database

        drop_database(url)
    return peak, floor


def _median_floor(
    rt: Any, day: date, tmp: Path, *, after_id: int = 0
) -> tuple[Stage, int, list[float]]:
    """_floor FLOOR_RUNS times, each to a fresh sink: the median run, the rows it selected and
    every run's seconds (for the log)."""
    runs = []
    for _ in range(FLOOR_RUNS):
        floor_sink = SinkProcess(_free_port(), tmp)
        try:
            runs.append(_floor(rt, day, floor_sink.port, after_id=after_id))
        finally:
            floor_sink.stop()
    runs.sort(key=lambda run: run[0].seconds)
    median, selected = runs[len(runs) // 2]
    return median, selected, [round(run[0].seconds, 2) for run in runs]


def _last_outbox_id(rt: Any) -> int:
    from sqlalchemy import func, select

    from poflow.db.models import Outbox

    with rt.factory() as session:
        return session.scalar(select(func.max(Outbox.id))) or 0


def _import(rt: Any, pop: population.Population, tmp: Path, n: int) -> tuple[Stage, Stage]:
    """Import n new hires through the importer, against a raw csv + bulk insert baseline."""
    import csv
    import random

    from sqlalchemy import delete, insert

    from poflow.db.models import Hire
    from poflow.importer import HIRE_COLUMNS, import_hires

    new_hires = population.hires_for(
        pop.municipalities, year=YEAR + 1, n=n, rng=random.Random(99), prefix="IMP"
    )
    path = tmp / "hires-10k.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HIRE_COLUMNS)
        for h in new_hires:
            out.writerow(
                [
                    h["id"],
                    h["given_name"],
                    h["family_name"],
                    h["private_email"],
                    h["work_email"],
                    h["team"],
                    h["function"],
                    h["manager_id"],
                    h["buddy_id"],
                    h["contract_type"],
                    h["contract_months"] or "",
                    h["start_date"].isoformat(),
                    h["municipality"],
                ]
            )
    with stage("import-raw") as raw:
        with path.open(encoding="utf-8") as f:
            rows = [
                {
                    **r,
                    "id": "RAW-" + r.pop("hire_id"),
                    "contract_months": int(r["contract_months"]) if r["contract_months"] else None,
                    "start_date": date.fromisoformat(r["start_date"]),
                    "first_working_day": date.fromisoformat(r["start_date"]),
                }
                for r in csv.DictReader(f)
            ]
        with rt.factory() as session, session.begin():
            session.execute(insert(Hire), rows)
    with rt.factory() as session, session.begin():
        session.execute(delete(Hire).where(Hire.id.like("RAW-%")))
    with stage("import") as s, rt.factory() as session, session.begin():
        # Contracts really start on 1 January and 1 September: allowed, as P&O would allow them.
        result = import_hires(session, path, rt.configs, allow_non_working_day=True)
    assert result.created == n, result
    return s, raw


SCALE_RUNS = 3  # per worker count: 1 worker, N workers, alternately, each on a fresh copy


def _scale_out(
    url_for: Any, template: str, tmp: Path, peak: date, scale: Any, after_id: int
) -> dict[str, Any]:
    """The peak day by one worker process and by `count`, alternately, SCALE_RUNS times each;
    every run on a fresh copy of database `template` (made before the peak day).

    Both sides start the same way (a Prefect worker per host, a warmed-up flow run each, one go),
    so the speed-up compares like with like.
    Returns the median run of each side, all their times and the speed-up.
    """
    from bench.pg import drop_database

    count = len(scale[1])
    runs: dict[int, list[dict[str, Any]]] = {1: [], count: []}
    for n in range(SCALE_RUNS):
        for workers in runs:
            url = url_for(f"bench_scale_{workers}_{n}", template=template)
            try:
                runs[workers].append(_workers(url, tmp, peak, scale, workers, after_id))
            finally:
                drop_database(url)
    median = {k: sorted(v, key=lambda w: w["seconds"])[len(v) // 2] for k, v in runs.items()}
    return {
        "one": median[1],
        "many": median[count],
        "workers": count,
        "speedup": median[1]["seconds"] / median[count]["seconds"],
        "runs": {k: [round(w["seconds"], 2) for w in v] for k, v in runs.items()},
    }


def _workers(
    url: str, tmp: Path, peak: date, scale: Any, count: int, after_id: int
) -> dict[str, Any]:
    """`count` Prefect workers, each on its own simulated host, running the peak day together:
    one flow run of `bench-day-share` each (bench/pool.py), timed from the go.

    Returns the wall time from the common start until the last run reported, each run's totals,
    host and final state, the CPU seconds of the work, of the PostgreSQL server and of the sink
    and how busy the machine's cores were meanwhile, what a fresh sink received, how many rows
    the outbox marks sent (equal, and no Message-ID twice: X-1) and how many recipients got two
    digests (ONB-3).
    """
    from bench.measure import busy_cpu_s, cpu_s, tree_cpu_s
    from bench.pg import server_pid
    from bench.pool import run_on_workers

    cluster, hosts = scale
    sink = SinkProcess(_free_port(), tmp, host=cluster.address)
    server = server_pid(url)
    env = {k: v for k, v in os.environ.items() if k.startswith("POFLOW_")}
    env.update(
        POFLOW_DATABASE_URL=url, POFLOW_SMTP_HOST=cluster.address, POFLOW_SMTP_PORT=str(sink.port)
    )

    def meter() -> tuple[float, float, float]:
        return busy_cpu_s(), cpu_s(sink.proc.pid), tree_cpu_s(server) if server else 0.0

    ran = run_on_workers(cluster, hosts[:count], env, peak.isoformat(), tmp, meter=meter)
    before, after = ran["metered"]
    seconds, outs = ran["seconds"], ran["outs"]
    received = sink.counts()
    sink.stop()
    rt = _use(url, tmp, sink.port)
    sent, twice = _sent(rt, after_id=after_id), _second_digests(rt, after_id=after_id)
    from poflow.db.session import make_engine

    make_engine(url).dispose()
    return {
        "seconds": seconds,
        "per_worker": [o["totals"] for o in outs],
        "hosts": sorted(o["host"] for o in outs),
        "states": ran["states"],
        "cpu_s": {
            "workers": sum(o["cpu_s"] for o in outs),
            "sink": after[1] - before[1],
            "postgresql": after[2] - before[2] if server else None,
        },
        # the whole machine from the go to the last run's report
        "cores_busy": (after[0] - before[0]) / max(seconds, 1e-9),
        "cores": os.cpu_count(),
        "sink": received,
        "outbox_sent": sent,
        "second_digests": twice,
    }


def _rounded(figures: dict[str, float | None]) -> dict[str, float | None]:
    """The figures to two decimals, for the log."""
    return {k: None if v is None else round(v, 2) for k, v in figures.items()}


def _second_digests(rt: Any, *, after_id: int = 0) -> int:
    """Digests beyond the first that one recipient got on one day (ONB-3: one a day)."""
    from sqlalchemy import select

    from poflow.db.models import Outbox

    with rt.factory() as session:
        keys = session.scalars(
            select(Outbox.key).where(Outbox.template == "onboarding/digest", Outbox.id > after_id)
        ).all()
    days = [key.rsplit(":", 1)[0] for key in keys]  # the key less the digest's number
    return len(days) - len(set(days))


def _sent(rt: Any, *, after_id: int = 0) -> int:
    """Outbox rows marked sent (with an id above `after_id`: the measured day's)."""
    from sqlalchemy import func, select

    from poflow.db.models import Outbox
    from poflow.states import MailState

    with rt.factory() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.state == MailState.SENT, Outbox.id > after_id)
            )
            or 0
        )


def run_backend(
    kind: str, url_for: Any, pop: population.Population, tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Every stage on one database; returns the figures."""
    from poflow.db.session import upgrade_schema

    log = _Log()
    res: dict[str, Any] = {"backend": kind, "log": log}
    url = url_for("bench_main")
    upgrade_schema(url)
    sink = SinkProcess(_free_port(), tmp)
    try:
        return _stages(kind, url, url_for, sink, pop, tmp, args, res)
    finally:
        sink.stop()


def _stages(
    kind: str,
    url: str,
    url_for: Any,
    sink: SinkProcess,
    pop: population.Population,
    tmp: Path,
    args: argparse.Namespace,
    res: dict[str, Any],
) -> dict[str, Any]:
    """The stages of run_backend, with the sink already running."""
    from poflow.db.session import make_engine

    log = res["log"]
    rt = _use(url, tmp, sink.port)
    peak, due, mail_day = _prepare(rt, pop, target=args.target_due, history=args.history, log=log)
    res.update(peak_day=peak.isoformat(), due_actions=due, mail_day=mail_day.isoformat())
    from poflow.runtime import run_day

    if mail_day < peak:  # the busiest mail day first, against its own floor
        mail_due = world.due_per_day(rt)[mail_day]
        with stage("mail-day", children=[sink.proc.pid]) as s:
            mail_totals = run_day(rt, mail_day)
        mfl, _, mail_floors = _median_floor(rt, mail_day, tmp)
        res.update(
            mail_day_s=s.seconds,
            mail_day_due=mail_due,
            mail_day_totals=mail_totals,
            mail_floor_s=mfl.seconds,
        )
        log.append(
            f"mail day: {mail_totals} in {s.seconds:.1f} s; floor {mfl.seconds:.1f} s "
            f"(median of {mail_floors})"
        )
    world.close_before(rt, peak)
    before_peak = _last_outbox_id(rt)
    copies: dict[str, str] = {}
    make_engine(url).dispose()
    if kind == "postgresql" and getattr(args, "scale", None):
        copies["workers"] = url_for("bench_workers", template="bench_main")
    if kind == "sqlite" and args.naive:
        copies["naive"] = _copy_sqlite(url, tmp / "naive.db")
    repeats = [
        url_for(f"bench_peak{n}", template="bench_main")
        if kind == "postgresql"
        else _copy_sqlite(url, tmp / f"bench_peak{n}.db")
        for n in range(1, PEAK_RUNS)
    ]
    pairs = [_peak_on_copy(copy, tmp, peak, before_peak) for copy in repeats]
    rt = _use(url, tmp, sink.port)
    earlier = sink.counts()
    s, totals, last_floor, selected = _peak_and_floor(rt, url, tmp, peak, sink, before_peak)
    pairs.append((s, last_floor))
    got = {k: v - earlier[k] for k, v in sink.counts().items()}  # this day's messages only
    peaks = sorted((p for p, _ in pairs), key=lambda st: st.seconds)
    floors = sorted((f for _, f in pairs), key=lambda st: st.seconds)

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    res.update(
        peak_day_s=peaks[len(peaks) // 2].seconds,
        peak_day_runs=[round(p.seconds, 2) for p, _ in pairs],
        peak_rss_mb=s.peak_rss_mb,
        peak_totals=totals,
        sink=got,
        outbox_sent=_sent(rt, after_id=before_peak),
        floor_s=floors[len(floors) // 2].seconds,
        floor_runs=[round(f.seconds, 2) for _, f in pairs],
        floor_rss_mb=last_floor.peak_rss_mb,
        floor_rows=selected,
        peak_cpu_s=median([p.cpu_s for p, _ in pairs]),
        floor_cpu_s=median([f.cpu_s for _, f in pairs]),
    )
    log.append(
        f"peak day: {totals}; sink {got}; ABAB with its floor on copies and then the database: "
        f"poflow {[round(p.seconds, 2) for p, _ in pairs]} s, floor "
        f"{[round(f.seconds, 2) for _, f in pairs]} s; CPU s (poflow + sink + database server) "
        f"poflow {[round(p.cpu_s, 2) for p, _ in pairs]}, floor "
        f"{[round(f.cpu_s, 2) for _, f in pairs]}"
    )
    res["idle_floor_s"] = _idle_floor(rt, peak)
    with stage("idle") as s:
        idle = run_day(rt, peak)
    res.update(idle_tick_s=s.seconds, idle_rss_mb=s.peak_rss_mb, idle_totals=idle)
    if kind == "sqlite" and args.naive:
        res.update(_idle_through_prefect(peak, log))
    imp, raw = _import(rt, pop, tmp, args.import_n)
    res.update(import_s=imp.seconds, import_rss_mb=imp.peak_rss_mb, import_raw_s=raw.seconds)
    make_engine(url).dispose()
    sink.stop()
    if "naive" in copies:
        from bench.naive_run import measure_naive

        naive_sink = SinkProcess(_free_port(), tmp)
        try:
            res["naive"] = measure_naive(copies["naive"], tmp, naive_sink.port, peak, pop, log)
        finally:
            naive_sink.stop()
    if "workers" in copies:
        template = copies["workers"].rpartition("/")[2]
        res["scale_out"] = so = _scale_out(url_for, template, tmp, peak, args.scale, before_peak)
        for side in ("one", "many"):
            w = so[side]
            log.append(
                f"scale-out, {len(w['per_worker'])} Prefect worker(s) on {w['hosts']}, "
                f"flow runs {w['states']}, median of "
                f"{so['runs'][len(w['per_worker'])]} s: {w['seconds']:.2f} s; CPU s "
                f"{_rounded(w['cpu_s'])}; cores busy {w['cores_busy']:.2f} of "
                f"{w['cores']}; sink {w['sink']}, outbox sent {w['outbox_sent']}, "
                f"second digests {w['second_digests']}; per worker {w['per_worker']}"
            )
    return res


def _idle_through_prefect(peak: date, log: list[str]) -> dict[str, float]:
    """The flows users run, on the finished peak day, in a temporary Prefect API.

    The dispatcher runs six times (the first warms the client up); the median of the other
    five is the idle tick: one query finds no municipality with work and nothing is queued
    (the harness's own services make an occasional run take 2 s). Then the daily onboarding
    report (its own flow, ONB-4), twice: each municipality's table and chart are published,
    then nothing changed. The per-hire progress bars count as published by the year's earlier
    runs, as the actions before the peak count as done (40,000 of them once would take 12
    minutes of API calls).
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from poflow.flows.dispatcher import dispatcher
    from poflow.flows.onboarding import onboarding_report
    from poflow.runtime import get_runtime

    bars = world.bars_published(get_runtime(), peak)
    log.append(f"{bars} onboarding progress bars recorded as published by earlier runs")
    with (
        prefect_test_harness(server_startup_timeout=180),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        dispatcher(day=peak)
        ticks = []
        for _ in range(5):  # the median of five: the harness's own services cause outliers
            with stage("idle-flow") as idle:
                tick = dispatcher(day=peak)
            ticks.append(idle.seconds)
        idle.seconds = sorted(ticks)[2]
        with stage("report") as report:
            first = onboarding_report(day=peak)
        with stage("report-again") as again:
            second = onboarding_report(day=peak)
    published = sum(v["published"] for v in first.values())
    log.append(
        f"dispatcher flow, idle: median {idle.seconds:.2f} s of "
        f"{', '.join(f'{t:.2f}' for t in ticks)} (mail sent {tick['mail']['sent']});"
        f" onboarding report flow: {report.seconds:.1f} s ({published} artifacts), "
        f"again {again.seconds:.1f} s "
        f"({sum(v['published'] for v in second.values())} artifacts)"
    )
    return {
        "idle_flow_s": idle.seconds,
        "report_s": report.seconds,
        "report_published": published,
        "report_again_s": again.seconds,
    }


def _idle_floor(rt: Any, peak: date) -> float:
    """One plain SQL query for the due rows over the whole table: what an idle tick must do."""
    import time

    from sqlalchemy import text

    with rt.factory() as session:
        began = time.perf_counter()
        session.execute(
            text("SELECT id FROM action WHERE state = 'pending' AND due_date <= :d"), {"d": peak}
        ).all()
        return time.perf_counter() - began


def _table(results: list[dict[str, Any]]) -> list[str]:
    """The report as a markdown table, one column per database."""

    def row(name: str, fn: Any) -> str:
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, ZeroDivisionError, TypeError):
                cells.append("n/a")
        return f"| {name} | " + " | ".join(cells) + " |"

    head = "| measure | " + " | ".join(r["backend"] for r in results) + " |"
    return [
        head,
        "|---|" + "---|" * len(results),
        row("due actions on the peak day", lambda r: f"{r['due_actions']} ({r['peak_day']})"),
        row(
            "idle tick (goal <= 2 s)",
            lambda r: (
                f"{r['idle_tick_s']:.2f} s = "
                f"{r['idle_tick_s'] / GOALS['idle_tick_s']:.2f}x goal, "
                f"{r['idle_tick_s'] / r['idle_floor_s']:.0f}x one raw due-query "
                f"({r['idle_floor_s'] * 1000:.1f} ms)"
            ),
        ),
        row(
            "idle tick through the dispatcher flow (Prefect API, heartbeat off; median of 5)",
            lambda r: (
                f"{r['idle_flow_s']:.2f} s = {r['idle_flow_s'] / GOALS['idle_tick_s']:.2f}x goal"
            ),
        ),
        row(
            "daily onboarding report flow (ONB-4), then again unchanged",
            lambda r: (
                f"{r['report_s']:.1f} s ({r['report_published']} artifacts), "
                f"{r['report_again_s']:.1f} s"
            ),
        ),
        row(
            "peak day end to end (goal <= 300 s; median of 3)",
            lambda r: (
                f"{r['peak_day_s']:.1f} s = "
                f"{r['peak_day_s'] / GOALS['peak_day_s']:.2f}x goal; "
                f"{r['peak_totals']['performed']} performed, {r['peak_totals']['sent']} mails"
            ),
        ),
        row(
            "raw floor (SQL select + smtplib, same mails; median of 3)",
            lambda r: f"{r['floor_s']:.1f} s",
        ),
        row(
            "cost per due action vs floor (goal <= 2x)",
            lambda r: (
                f"{r['peak_day_s'] / r['due_actions'] * 1000:.2f} ms vs "
                f"{r['floor_s'] / r['due_actions'] * 1000:.2f} ms = "
                f"{r['peak_day_s'] / r['floor_s']:.2f}x; in CPU seconds "
                f"{r['peak_cpu_s'] / r['floor_cpu_s']:.2f}x"
            ),
        ),
        row(
            "busiest mail day (the cohort's import day) vs its floor",
            lambda r: (
                f"{r['mail_day']}: {r['mail_day_due']} actions, "
                f"{r['mail_day_totals']['sent']} mails in {r['mail_day_s']:.1f} s vs "
                f"{r['mail_floor_s']:.1f} s = {r['mail_day_s'] / r['mail_floor_s']:.2f}x"
            ),
        ),
        row(
            "naive peer, one Prefect task per employee (extrapolated)",
            lambda r: (
                f"{r['naive']['extrapolated_s']:.0f} s = "
                f"{r['naive']['extrapolated_s'] / r['peak_day_s']:.0f}x poflow (goal >= 100x); "
                f"{r['naive']['extrapolated_s'] / r['floor_s']:.0f}x the raw floor"
            ),
        ),
        row(
            "import 10,000 hires (goal <= 10 s)",
            lambda r: (
                f"{r['import_s']:.1f} s = "
                f"{r['import_s'] / GOALS['import_10k_s']:.2f}x goal, "
                f"{r['import_s'] / r['import_raw_s']:.1f}x raw csv+insert "
                f"({r['import_raw_s']:.1f} s)"
            ),
        ),
        row(
            "peak RSS MiB: peak day (+sink) / idle / floor / import",
            lambda r: (
                f"{r['peak_rss_mb']:.0f} / {r['idle_rss_mb']:.0f} / {r['floor_rss_mb']:.0f} / "
                f"{r['import_rss_mb']:.0f}"
            ),
        ),
        row(
            "scale-out: peak day by 1 Prefect worker / N on simulated hosts "
            "(medians of 3, fresh copies)",
            lambda r: _scale_cell(r["scale_out"]),
        ),
    ]


def _scale_cell(so: dict[str, Any]) -> str:
    """The scale-out row's cell: both sides' times, the speed-up, where the CPU went and what
    the N workers sent."""
    one, many = so["one"], so["many"]

    def cpu(w: dict[str, Any]) -> str:
        c = w["cpu_s"]
        server = "n/a" if c["postgresql"] is None else f"{c['postgresql']:.1f}"
        return (
            f"{c['workers']:.1f} / {server} / {c['sink']:.1f} s, "
            f"{w['cores_busy']:.2f} of {w['cores']} cores busy"
        )

    return (
        f"{one['seconds']:.1f} s / {many['seconds']:.1f} s with {so['workers']} = "
        f"{so['speedup']:.2f}x; CPU workers / PostgreSQL / sink: {cpu(one)} vs {cpu(many)}; "
        f"sink {many['sink']['accepted']} = outbox {many['outbox_sent']}, repeated "
        f"Message-IDs {many['sink']['repeated_message_ids']}, second digests "
        f"{many['second_digests']}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report and the closing figures line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--municipalities", type=int, default=population.MUNICIPALITIES)
    parser.add_argument("--staff", type=int, default=population.STAFF)
    parser.add_argument("--hires", type=int, default=population.HIRES_PER_YEAR)
    parser.add_argument("--target-due", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=30, help="done actions per other hire")
    parser.add_argument("--import-n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-naive", dest="naive", action="store_false")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--waiting-rounds", type=int, default=1000, help="rounds left waiting (issue 19)"
    )
    parser.add_argument("--waiting-sample", type=int, default=20, help="rounds then decided")
    parser.add_argument(
        "--only-waiting", action="store_true", help="run the waiting-rounds section alone"
    )
    parser.add_argument(
        "--only-workspace",
        action="store_true",
        help="run the workspace section alone (P&O's pages, 2,000 hires; 50 link clicks at once)",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="PLANNER",
        help="leave this registered planner out (its handlers stay); repeatable",
    )
    args = parser.parse_args(argv)
    import time

    began = time.perf_counter()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    tmp = Path(tempfile.mkdtemp(prefix="poflow-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))
    if args.only_waiting:
        try:
            waiting = _waiting_section(args, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(_waiting_fields(waiting))
        return 0
    if args.only_workspace:
        try:
            workspace = _workspace_section(args, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(_workspace_fields(workspace))
        return 0
    from dataclasses import replace

    from poflow import runtime
    from poflow.engine import Registry
    from poflow.processes import PROCESSES

    full = Registry.build(PROCESSES)
    registry = replace(
        full, planners={k: v for k, v in full.planners.items() if k not in args.without}
    )
    # The benchmark's own choice, reported below: every runtime of this process plans without
    # the left-out processes.
    runtime._registry = lambda: registry
    pop = population.generate(
        year=YEAR, municipalities=args.municipalities, staff=args.staff, hires=args.hires
    )
    population.write_configs(pop.municipalities, ROOT / "config" / "hardenberg", tmp / "config")
    print(
        f"population: {len(pop.municipalities)} municipalities, {len(pop.people)} staff, "
        f"{len(pop.hires)} hires in {YEAR}; planners {sorted(registry.planners)} "
        f"(left out: {args.without or 'none'}); "
        f"{len(registry.handlers)} action kinds",
        flush=True,
    )
    results = []
    try:
        for kind in args.backends.split(","):
            print(f"== {kind}", flush=True)
            if kind == "sqlite":

                def url_for(name: str, template: str | None = None) -> str:
                    return f"sqlite:///{tmp / (name + '.db')}"

                res = run_backend(kind, url_for, pop, tmp, args)
            else:
                from bench.pg import clone_database, create_database

                with contextlib.ExitStack() as stack:
                    base = _postgres_with_workers(stack, args, tmp)

                    def url_for(name: str, template: str | None = None, base: str = base) -> str:
                        if template:
                            return clone_database(base, template, name)
                        return create_database(base, name)

                    res = run_backend(kind, url_for, pop, tmp, args)
            results.append(res)
        waiting = _waiting_section(args, tmp)
        workspace = _workspace_section(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(_table(results)))
    print(f"whole benchmark: {(time.perf_counter() - began) / 60:.1f} min")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    worst = {
        "idle_tick_s": max(max(r["idle_tick_s"], r.get("idle_flow_s", 0.0)) for r in results),
        "peak_day_s": max(r["peak_day_s"] for r in results),
        "per_action_vs_floor": max(r["peak_day_s"] / r["floor_s"] for r in results),
        "per_action_cpu_vs_floor": max(r["peak_cpu_s"] / r["floor_cpu_s"] for r in results),
        "naive_vs_poflow": min(
            (r["naive"]["extrapolated_s"] / r["peak_day_s"] for r in results if "naive" in r),
            default=float("nan"),
        ),
        "import_10k_s": max(r["import_s"] for r in results),
        "peak_rss_mb": max(
            max(r[k] for k in ("peak_rss_mb", "idle_rss_mb", "floor_rss_mb", "import_rss_mb"))
            for r in results
        ),
    }
    speedups = [r["scale_out"]["speedup"] for r in results if "scale_out" in r]
    worst["workers_speedup"] = min(speedups, default=float("nan"))
    worst["cli_help_s"] = _cli_help_s()
    print(
        " ".join(f"{k}={v:.2f}" if k != "peak_rss_mb" else f"{k}={v:.0f}" for k, v in worst.items())
        + " "
        + _waiting_fields(waiting)
        + " "
        + _workspace_fields(workspace)
    )
    return 0


def _cli_help_s() -> float:
    """Median wall time of `poflow --help` in a fresh process, of 5 (goal <= 0.5 s)."""
    import subprocess
    import time

    times = []
    for _ in range(5):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "poflow", "--help"], cwd=ROOT, check=True, capture_output=True
        )
        times.append(time.perf_counter() - began)
    return sorted(times)[len(times) // 2]


def _postgres_with_workers(stack: contextlib.ExitStack, args: argparse.Namespace, tmp: Path) -> str:
    """The benchmark's PostgreSQL server; with --workers N also N simulated hosts
    (bench/hosts.py) and a Prefect server on that PostgreSQL with the work pool (bench/pool.py),
    kept in args.scale for the scale-out stage. Without root (no namespaces) the scale-out
    stage is left out and the report says why."""
    from bench.pg import postgres_server

    args.scale = None
    why_not = None
    if args.workers:
        from bench.hosts import HOST_ADDRESS, hosts_available, simulated_hosts

        why_not = hosts_available()
    if not args.workers or why_not:
        if why_not:
            print(f"  scale-out left out: {why_not}", flush=True)
        return stack.enter_context(postgres_server())
    from bench.pool import prefect_cluster

    hosts = stack.enter_context(simulated_hosts(args.workers))
    base = stack.enter_context(postgres_server(listen=("127.0.0.1", HOST_ADDRESS)))
    cluster = stack.enter_context(prefect_cluster(base, tmp, HOST_ADDRESS))
    args.scale = (cluster, hosts)
    return base


def _waiting_section(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Waiting rounds (issue 19): processes and memory held, decision -> next step."""
    from bench.waiting import measure_waiting_rounds

    print(f"== waiting rounds ({args.waiting_rounds}, {args.waiting_sample} decided)", flush=True)
    figures = measure_waiting_rounds(
        args.waiting_rounds, tmp / "waiting", sample=args.waiting_sample
    )
    print(
        f"  {figures['rounds']} rounds suspended in {figures['start_s']} s; held: "
        f"{figures['held_processes']} process(es), {figures['held_mb']} MB (goal: none, < 50 MB; "
        f"fixed: poflow serve {figures['serve_mb']} MB, Prefect server "
        f"{figures['prefect_server_mb']} MB); decision -> next step of {figures['resumed']}: "
        f"median {figures['resume_median_s']} s, p95 {figures['resume_p95_s']} s (goal <= 10 s)",
        flush=True,
    )
    return figures


def _workspace_section(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """The workspace (issue 21): P&O's pages with 2,000 hires, 50 link clicks at once."""
    from bench.workspace import CLIENTS, HIRES, measure_workspace

    print(f"== workspace ({HIRES} hires; {CLIENTS} link clicks at once)", flush=True)
    return measure_workspace(tmp / "workspace", args.backends.split(","))


def _workspace_fields(figures: dict[str, Any]) -> str:
    """The closing line's workspace fields (the worst database's)."""
    return (
        f"workspace_p95_ms={figures['workspace_p95_ms']:.0f} "
        f"links_p95_ms={figures['links_p95_ms']:.0f}"
    )


def _waiting_fields(figures: dict[str, Any]) -> str:
    """The closing line's waiting-rounds fields."""
    return f"waiting_rounds_mb={figures['held_mb']:.0f} resume_p95_s={figures['resume_p95_s']:.2f}"


if __name__ == "__main__":
    sys.exit(main())
