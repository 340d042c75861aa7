"""Scale-out on Prefect's own machinery (issue 19, item 3): a Prefect server on PostgreSQL, a
work pool of type process, and `prefect worker start` on simulated hosts (bench/hosts.py).

`prefect_cluster(pg_base, tmp, address)` starts the Prefect server on this machine's bridge
address with its database `prefect` on the benchmark's PostgreSQL server, creates the
work pool `poflow-bench` and deploys `bench-day-share` (bench/pool_flow.py) to it.
`run_on_workers(cluster, hosts, …)` starts one worker per host inside its namespace (limit one
flow run each), submits one flow run per worker, gives the go when every run has warmed up and
returns the wall time of the work, each run's totals and CPU seconds and the host it ran on.
Everything (server, workers, database) is reached over the namespaces' addresses only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.hosts import Host
from poflow.localpg import admin_sql, free_port

__all__ = ["POOL", "Cluster", "prefect_cluster", "run_on_workers"]

POOL = "poflow-bench"
DEPLOYMENT = "bench-day-share/peak"
ROOT = Path(__file__).resolve().parent.parent
START_S = 120  # the server's start, a worker's first poll and a run's warm-up, at most


@dataclass(frozen=True)
class Cluster:
    """A running Prefect server (its API URL) with the benchmark's work pool and deployment."""

    api_url: str
    env: dict[str, str]  # what every worker and client of this server needs
    address: str  # this machine's address on the hosts' bridge


def _on_bridge(url: str, address: str) -> str:
    """`url` (a PostgreSQL URL on 127.0.0.1) as the simulated hosts reach it."""
    return url.replace("@127.0.0.1:", f"@{address}:")


def _wait_healthy(api_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Prefect server stopped: {log.read_text()[-2000:]}")
        try:
            # an http URL this module made (S310 is about file: and custom schemes)
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Prefect server did not start in {START_S} s")


@contextmanager
def prefect_cluster(pg_base: str, tmp: Path, address: str) -> Iterator[Cluster]:
    """A Prefect server on PostgreSQL listening at `address` (this machine on the hosts'
    bridge), the work pool and the deployment."""
    admin_sql(pg_base, 'CREATE DATABASE "prefect"')
    database = _on_bridge(pg_base, address).replace(
        "postgresql+psycopg://", "postgresql+asyncpg://"
    )
    port = free_port()
    api_url = f"http://{address}:{port}/api"
    home = tmp / "prefect-cluster"
    home.mkdir(parents=True, exist_ok=True)
    base_env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    base_env.pop("PREFECT_API_URL", None)
    log = tmp / "prefect-server.log"
    server_env = {**base_env, "PREFECT_API_DATABASE_CONNECTION_URL": f"{database}/prefect"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", address,
             "--port", str(port), "--no-ui"],
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_healthy(api_url, server, log)
        env = {**base_env, "PREFECT_API_URL": api_url, "PREFECT_WORKER_QUERY_SECONDS": "1"}
        subprocess.run(
            [sys.executable, "-m", "bench.pool", "deploy"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        yield Cluster(api_url, env, address)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def deploy() -> None:
    """Create the process work pool and deploy `bench-day-share` to it (run with the
    cluster's PREFECT_API_URL). The entrypoint is a module path, so a worker on any host with
    poflow installed finds the flow; the flow run works in the project folder (bench/)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments.runner import EntrypointType

    from bench.pool_flow import day_share

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process"), overwrite=True)
    deployment = day_share.to_deployment(
        name="peak",
        entrypoint_type=EntrypointType.MODULE_PATH,
        job_variables={"working_dir": str(ROOT)},
    )
    deployment.apply(work_pool_name=POOL)


def _submit(count: int, day: str, rendezvous: Path, batch_size: int) -> list[str]:
    from prefect.deployments import run_deployment

    runs = [
        run_deployment(
            DEPLOYMENT,
            parameters={"day": day, "rendezvous": str(rendezvous), "batch_size": batch_size},
            timeout=0,
        )
        for _ in range(count)
    ]
    return [str(r.id) for r in runs]


def _states(ids: list[str]) -> list[str]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return [str(client.read_flow_run(i).state_type.value) for i in ids]  # type: ignore[union-attr]


def run_on_workers(
    cluster: Cluster,
    hosts: list[Host],
    env: dict[str, str],
    day: str,
    tmp: Path,
    batch_size: int = 500,
    meter: Callable[[], Any] | None = None,
) -> dict[str, Any]:
    """One Prefect worker per host, one flow run per worker; the day's work timed from the go
    until the last run reported. `env` is poflow's (database and SMTP as the hosts reach them);
    `batch_size` is run_day's (small batches let the workers take turns in a small test);
    `meter` is read right before the go and right after the last run reported (ran["metered"])."""
    rendezvous = Path(tmp) / f"rendezvous-{time.monotonic_ns()}"
    rendezvous.mkdir()
    worker_env = {**cluster.env, **env}
    worker_env["POFLOW_DATABASE_URL"] = _on_bridge(
        worker_env["POFLOW_DATABASE_URL"], cluster.address
    )
    worker = ["-m", "prefect", "worker", "start", "--pool", POOL, "--limit", "1"]
    workers = [
        subprocess.Popen(
            host.command(sys.executable, *worker, "--name", host.name, "--install-policy", "never"),
            cwd=ROOT,
            env={**worker_env, "POFLOW_BENCH_HOST": host.name},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for host in hosts
    ]
    try:
        submit = subprocess.run(
            [sys.executable, "-m", "bench.pool", "submit", str(len(hosts)), day, str(rendezvous),
             str(batch_size)],
            cwd=ROOT, env=cluster.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        ids = json.loads(submit.stdout)
        deadline = time.monotonic() + START_S
        while len(list(rendezvous.glob("ready-*"))) < len(hosts):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the flow runs did not start on the workers in {START_S} s")
            time.sleep(0.05)
        metered = [meter() if meter else None]
        began = time.perf_counter()
        (rendezvous / "go").write_text("go")
        while len(list(rendezvous.glob("done-*.json"))) < len(hosts):
            if time.monotonic() > deadline + 1800:
                raise RuntimeError("the flow runs did not finish")
            time.sleep(0.02)
        seconds = time.perf_counter() - began
        metered.append(meter() if meter else None)
        outs = [json.loads(p.read_text()) for p in sorted(rendezvous.glob("done-*.json"))]
        states = _wait_final(cluster, ids)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(20)
            except subprocess.TimeoutExpired:
                w.kill()
    return {
        "seconds": seconds,
        "outs": outs,
        "states": states,
        "flow_runs": ids,
        "metered": metered,
    }


def _wait_final(cluster: Cluster, ids: list[str]) -> list[str]:
    """The flow runs' final states (COMPLETED when all went well), read from the API."""
    deadline = time.monotonic() + 60
    while True:
        answer = subprocess.run(
            [sys.executable, "-m", "bench.pool", "states", *ids],
            cwd=ROOT, env=cluster.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        states: list[str] = json.loads(answer.stdout)
        if all(s in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} for s in states):
            return states
        if time.monotonic() > deadline:
            return states
        time.sleep(0.5)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "deploy":
        deploy()
    elif command == "submit":
        print(
            json.dumps(_submit(int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), int(sys.argv[5])))
        )
    elif command == "states":
        print(json.dumps(_states(sys.argv[2:])))
