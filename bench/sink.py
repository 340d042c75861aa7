"""A loopback SMTP sink in its own process: counts what it accepts and any repeated Message-ID.

Run as `python -m bench.sink PORT STATSFILE`; it rewrites STATSFILE (JSON) after each message
so the benchmark reads the counts without sharing a process (or the GIL) with the sender.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["SinkProcess"]

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Counter:
    def __init__(self, stats: Path) -> None:
        self.stats = stats
        self.accepted = 0
        self.ids: set[bytes] = set()
        self.repeated = 0
        self.lock = threading.Lock()
        self.dirty = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        found = _MESSAGE_ID.search(envelope.original_content or envelope.content)
        with self.lock:
            self.accepted += 1
            if found:
                if found.group(1) in self.ids:
                    self.repeated += 1
                self.ids.add(found.group(1))
            self.dirty = True
        return "250 OK"

    def flush(self) -> None:
        with self.lock:
            if not self.dirty:
                return
            data = {"accepted": self.accepted, "repeated_message_ids": self.repeated}
            self.dirty = False
        tmp = self.stats.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.stats)


def _serve(port: int, stats: Path, host: str = "127.0.0.1") -> None:
    from aiosmtpd.controller import Controller

    counter = _Counter(stats)
    counter.dirty = True
    counter.flush()
    controller = Controller(counter, hostname=host, port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.1):
        counter.flush()
    counter.flush()
    controller.stop()


class SinkProcess:
    """Start the sink as a subprocess; `.counts()` reads what it has accepted so far."""

    def __init__(self, port: int, folder: Path, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host
        self.stats = folder / f"sink-{port}.json"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sink", str(port), str(self.stats), host],
            cwd=Path(__file__).parent.parent,
            stdout=subprocess.DEVNULL,
        )
        end = time.monotonic() + 20
        while not self.stats.exists():
            if time.monotonic() > end or self.proc.poll() is not None:
                raise RuntimeError("the SMTP sink did not start")
            time.sleep(0.05)

    def counts(self) -> dict[str, int]:
        """Messages accepted and repeated Message-IDs so far (read after a short settle)."""
        time.sleep(0.3)
        return json.loads(self.stats.read_text())

    def stop(self) -> None:
        """Stop the sink process (again is harmless)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


if __name__ == "__main__":
    _serve(int(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
