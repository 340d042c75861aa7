"""Wall time and peak resident memory of one stage, sampled from /proc while the stage runs;
CPU seconds of processes and of the whole machine, read from /proc."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

__all__ = ["Stage", "busy_cpu_s", "cpu_s", "rss_mb", "stage", "tree_cpu_s"]

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (field 3 onwards)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _cpu(fields: list[str], *, reaped: bool = False) -> float:
    """User + system seconds from stat fields; with `reaped`, also those of ended children."""
    return sum(int(fields[i]) for i in ((11, 12, 13, 14) if reaped else (11, 12))) / _TICK


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    return _cpu(_stat(pid))


def tree_cpu_s(root: int) -> float:
    """CPU seconds of a process, its children and the children it has already reaped (e.g. a
    PostgreSQL server: the postmaster and its backends, ended ones included)."""
    total = _cpu(_stat(root), reaped=True)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            child = _stat(int(entry.name))
        except OSError:  # ended meanwhile: counted in the parent's reaped children
            continue
        if int(child[1]) == root:
            total += _cpu(child, reaped=True)
    return total


def busy_cpu_s() -> float:
    """CPU seconds all cores of this machine have spent not idle since boot."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK  # less idle and iowait


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (default: this one) in MiB."""
    with open(f"/proc/{pid or 'self'}/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


@dataclass
class Stage:
    """The outcome of one measured stage."""

    name: str
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_s: float = 0.0  # this process, `children` and the database server's tree


def _cpu_now(children: list[int], server: int | None) -> float:
    total = time.process_time()
    for pid in children:
        with suppress(OSError):
            total += cpu_s(pid)
    if server:
        with suppress(OSError):
            total += tree_cpu_s(server)
    return total


@contextmanager
def stage(
    name: str, *, children: list[int] | None = None, server: int | None = None
) -> Iterator[Stage]:
    """Time the block, count the CPU seconds of this process, `children` and the database
    server process tree `server` (which a noisy neighbour does not inflate as it does wall
    time), and sample the peak RSS of this process (plus `children`) every 20 ms."""
    result = Stage(name)
    cpu_before = _cpu_now(children or [], server)
    done = threading.Event()

    def sample() -> None:
        while True:
            total = rss_mb()
            for pid in children or []:
                with suppress(OSError):
                    total += rss_mb(pid)
            result.peak_rss_mb = max(result.peak_rss_mb, total)
            if done.wait(0.02):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - began
        result.cpu_s = _cpu_now(children or [], server) - cpu_before
        done.set()
        sampler.join()
