"""Wall time and peak resident memory of one stage, sampled from /proc while the stage runs."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Stage", "rss_mb", "stage"]

_PAGE = os.sysconf("SC_PAGE_SIZE")


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


@contextmanager
def stage(name: str, *, children: list[int] | None = None) -> Iterator[Stage]:
    """Time the block and sample the peak RSS of this process (plus `children`) every 20 ms."""
    result = Stage(name)
    done = threading.Event()

    def sample() -> None:
        while True:
            total = rss_mb()
            for pid in children or []:
                try:
                    total += rss_mb(pid)
                except OSError:
                    pass
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
        done.set()
        sampler.join()
