"""Tests against a real `prefect server start` on loopback: runs and deployments show up there."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
    assert not [n for n in found if "Lotte" in n or "@" in n]


def test_the_dispatcher_deployment_runs_on_working_days_at_7_in_amsterdam(prefect_server: str):
    """The served deployment carries a cron of 07:00 Mon-Fri in Europe/Amsterdam."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        from poflow.flows.serve import all_deployments

        deployments = all_deployments()
        daily = next(d for d in deployments if d.name == "daily")
        schedule = daily.schedules[0].schedule
        assert schedule.cron == "0 7 * * 1-5"
        assert schedule.timezone == "Europe/Amsterdam"
        crons = {d.flow_name: d.schedules[0].schedule.cron for d in deployments if d.schedules}
        assert crons["poflow-onboarding-report"] == "30 7 * * 1-5"  # ONB-4, after the dispatcher
        deployment_id = daily.apply()
        from prefect.client.orchestration import PrefectClient

        async def read() -> str:
            async with PrefectClient(prefect_server) as client:
                dep = await client.read_deployment(deployment_id)
                return dep.schedules[0].schedule.timezone

        assert asyncio.run(read()) == "Europe/Amsterdam"


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
