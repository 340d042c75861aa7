"""Tests against a real `prefect server start` on loopback: runs and deployments show up there."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poflow.demo import start_prefect_server
from tests.conftest import EXAMPLES, free_port

pytestmark = pytest.mark.prefect_server
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server process on a free loopback port; yields its API URL."""
    home = tmp_path_factory.mktemp("prefect-home")
    api, proc = start_prefect_server(home, free_port())
    try:
        yield api
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


def test_a_cli_tick_shows_up_in_the_prefect_server_with_ids_only(
    prefect_server: str, tmp_path: Path, smtp
):
    """`poflow tick` in another process records its run on the server, named by ids only."""
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "POFLOW_DATA_DIR": str(tmp_path),
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
    }
    poflow = [sys.executable, "-m", "poflow"]
    for kind in ("staff", "hires"):
        subprocess.run(
            [*poflow, "import", kind, str(EXAMPLES / f"{kind}.csv")],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    done = subprocess.run(
        [*poflow, "tick", "--date", "2027-01-04"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len([m for m in smtp.messages if "Uitnodiging: bijpraat" in m["Subject"]]) == 11

    from prefect.client.orchestration import PrefectClient

    async def names() -> list[str]:
        async with PrefectClient(prefect_server) as client:
            runs = await client.read_flow_runs()
            return [f"{r.name} {r.parameters} {r.state_type}" for r in runs]

    found = asyncio.run(names())
    assert any("dispatch-2027-01-04-all" in n and "COMPLETED" in n for n in found)
    # and a run per process, each Completed, named by process, day and municipality only
    for process in ("onboarding", "hires", "checkins", "introduction", "conversations"):
        assert any(f"{process}-2027-01-04-all " in n and "COMPLETED" in n for n in found)
    assert not [n for n in found if "Lotte" in n or "@" in n]


def test_each_process_day_is_deployed_on_working_days_in_amsterdam(prefect_server: str):
    """Every process's `daily` deployment reaches the server with its working-day schedule in
    Europe/Amsterdam (the CAO holidays left out); the onboarding report follows at 07:30."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from poflow.processes import DAILY_ORDER

    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        from poflow.flows.serve import all_deployments

        deployments = all_deployments()
        daily = {d.flow_name: d for d in deployments if d.name == "daily"}
        crons = {
            d.flow_name: d.schedules[0].schedule.cron
            for d in deployments
            if d.schedules and getattr(d.schedules[0].schedule, "cron", None)
        }
        assert crons["poflow-onboarding-report"] == "30 7 * * 1-5"  # ONB-4, after the day
        applied = {name: daily[f"poflow-{name}"].apply() for name in DAILY_ORDER}
        from prefect.client.orchestration import PrefectClient

        async def read() -> dict[str, tuple[str, str]]:
            async with PrefectClient(prefect_server) as client:
                found = {}
                for name, deployment_id in applied.items():
                    dep = await client.read_deployment(deployment_id)
                    schedule = dep.schedules[0].schedule
                    found[name] = (schedule.timezone, schedule.rrule)
                return found

        found = asyncio.run(read())
    assert set(found) == set(DAILY_ORDER)
    for timezone, rule in found.values():
        assert timezone == "Europe/Amsterdam"
        assert "BYDAY=MO,TU,WE,TH,FR" in rule
        assert "20270427T" in rule  # Koningsdag 2027, a Tuesday, left out (EXDATE)


def _flow_runs(api: str, name: str) -> list[Any]:
    """The flow runs on the server at `api` named `name`."""
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    async def read() -> list[Any]:
        async with PrefectClient(api) as client:
            return await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name]))
            )

    return asyncio.run(read())


def test_x_1_a_killed_tick_ends_crashed_and_p_and_o_is_told_once(
    prefect_server: str, tmp_path: Path, smtp: Any, monkeypatch: pytest.MonkeyPatch
):
    """A `poflow tick` killed with SIGKILL stays Running only until the server's automation sees
    no heartbeat for three periods and sets its run Crashed; the watch then mails P&O of each
    municipality the failure notice, once."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from poflow.flows.crashes import ensure_crash_detection, tell_crashed
    from tests.conftest import runtime_on

    url = f"sqlite:///{tmp_path / 'p.db'}"
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
        "POFLOW_DATA_DIR": str(tmp_path),
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_DATABASE_URL": url,
    }
    poflow = [sys.executable, "-m", "poflow"]
    for kind in ("staff", "hires"):
        subprocess.run(
            [*poflow, "import", kind, str(EXAMPLES / f"{kind}.csv")],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        assert ensure_crash_detection(heartbeat_s=30)
        assert ensure_crash_detection(heartbeat_s=30)  # once, by name
    name = "simulate-2027-01-04-2027-12-31"
    tick = subprocess.Popen(  # a year in one run: long enough to be killed while it runs
        [*poflow, "tick", "--date", "2027-01-04", "--until", "2027-12-31"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not [r for r in _flow_runs(prefect_server, name) if r.state_type == "RUNNING"]:
            assert time.monotonic() < deadline, "the tick's run never ran"
            time.sleep(0.2)
        time.sleep(3)  # its first heartbeat reaches the server
    finally:
        os.kill(tick.pid, signal.SIGKILL)
        tick.wait()
    (run,) = _flow_runs(prefect_server, name)
    assert run.state_type == "RUNNING"  # what a killed run stayed for ever before
    deadline = time.monotonic() + 240
    while (run := _flow_runs(prefect_server, name)[0]).state_type != "CRASHED":
        assert time.monotonic() < deadline, f"still {run.state_type}"
        time.sleep(2)
    assert "hartslag" in (run.state.message or "")
    with (
        runtime_on(monkeypatch, url=url, data_dir=tmp_path, smtp_port=smtp.port),
        temporary_settings(updates={PREFECT_API_URL: prefect_server}),
    ):
        assert tell_crashed.fn() >= 1
        notices = [m for m in smtp.messages if "is mislukt" in str(m["Subject"])]
        assert {str(m["To"]).split("<")[-1].rstrip(">") for m in notices} == {
            "po@hardenberg.example.nl",
            "po@kaag-en-braassem.example.nl",
            "po@borger-odoorn.example.nl",
        }
        tell_crashed.fn()
    assert len([m for m in smtp.messages if "is mislukt" in str(m["Subject"])]) == len(notices)


def test_poflow_deploy_registers_every_deployment_in_a_work_pool_by_module_path(
    prefect_server: str, tmp_path: Path
):
    """`poflow deploy --pool` puts every deployment `poflow serve` runs into a process work
    pool, each with a module-path entrypoint a worker on another host can import (issue 19)."""
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_server,
        "POFLOW_DATA_DIR": str(tmp_path),
        "POFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "poflow", "deploy", "--pool", "poflow-test"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the project folder: the entrypoints must not depend on it
    )
    assert done.returncode == 0, done.stderr[-2000:]
    from prefect.client.orchestration import PrefectClient

    from poflow.flows.serve import all_deployments

    async def read() -> list[tuple[str, str | None, str | None]]:
        async with PrefectClient(prefect_server) as client:
            pool = await client.read_work_pool("poflow-test")
            assert pool.type == "process"
            found = await client.read_deployments()
            return [(d.name, d.work_pool_name, d.entrypoint) for d in found]

    found = [d for d in asyncio.run(read()) if d[1] == "poflow-test"]
    assert len(found) == len(all_deployments())
    for _name, _pool, entrypoint in found:
        assert entrypoint is not None
        assert entrypoint.startswith("poflow.flows."), entrypoint
        module, _, function = entrypoint.rpartition(".")
        flow = getattr(__import__(module, fromlist=[function]), function)  # importable as is
        assert hasattr(flow, "fn")
