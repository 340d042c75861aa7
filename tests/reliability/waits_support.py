"""Helpers of the waiting-rounds scenarios: a real Prefect server, `poflow serve` as a process
that a test stops with a signal and starts again, and reading the rounds' runs from the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from uuid import UUID

from tests.conftest import free_port

__all__ = ["ServeProcess", "descendants", "prefect_api", "run_states", "start_rounds"]

ROOT = Path(__file__).resolve().parents[2]
ROUND_DEPLOYMENT = "poflow-recruitment-round/round"


@contextmanager
def prefect_api(home: Path) -> Iterator[str]:
    """A real `prefect server start` on loopback (suspended runs of expired waits fail after
    1 s), with this process's Prefect client pointed at it; yields the API URL."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from poflow.demo import start_prefect_server

    old = os.environ.get("PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_LOOP_SECONDS")
    os.environ["PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_LOOP_SECONDS"] = "1"
    try:
        api, proc = start_prefect_server(home, free_port())
    finally:
        if old is None:
            os.environ.pop("PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_LOOP_SECONDS")
        else:
            os.environ["PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_LOOP_SECONDS"] = old
    try:
        with temporary_settings(updates={PREFECT_API_URL: api}):
            yield api
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


def descendants(pid: int) -> list[int]:
    """The ids of every living process below `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
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


class ServeProcess:
    """`poflow serve` in its own process: the web app and every deployment of poflow."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = {
            **os.environ,
            **env,
            "POFLOW_WEB_PORT": str(free_port()),
            "PREFECT_LOGGING_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServeProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                # the web app in a thread: every process below `poflow serve` is then a flow run
                [sys.executable, "-m", "poflow", "serve", "--workers", "1"],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_registered()
        return self

    def _wait_registered(self, timeout: float = 90) -> None:
        """Until the runner has (re)registered the round deployment and polls for runs."""
        start = self.log.stat().st_size if self.log.exists() else 0
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"poflow serve stopped at start: {self._tail()}")
            text = self.log.read_bytes()[start:].decode(errors="replace")
            if "poflow-recruitment-round/round" in text or "Your deployments are being" in text:
                return
            time.sleep(0.2)
        raise RuntimeError(f"poflow serve did not register its deployments: {self._tail()}")

    def _tail(self) -> str:
        return self.log.read_bytes()[-3000:].decode(errors="replace")

    def stop(self, sig: signal.Signals) -> float:
        """Send `sig` to the serve process (only it, not its group); seconds until it exited."""
        if self.proc is None:
            return 0.0
        began = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        return time.monotonic() - began

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else -1

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop(signal.SIGKILL)
        for child in descendants(self.pid) if self.proc else []:
            with suppress(OSError):
                os.kill(child, signal.SIGKILL)


def start_rounds(round_ids: list[str], *, timeout_days: float = 1) -> dict[str, str]:
    """Start each round's run from its deployment (as `poflow recruitment open --flow` does)."""
    from prefect.deployments import run_deployment

    runs = {}
    for rid in round_ids:
        run: Any = run_deployment(
            ROUND_DEPLOYMENT, parameters={"round_id": rid, "timeout_days": timeout_days}, timeout=0
        )
        runs[rid] = str(run.id)
    return runs


def run_states(run_ids: list[str]) -> dict[str, Any]:
    """Flow run id -> its current state, read from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(i) for i in run_ids])),
            limit=max(1, len(run_ids)),
        )
    return {str(r.id): r.state for r in runs}
