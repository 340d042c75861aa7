"""Helpers of the hostile-request tests: crafted tokens, raw HTTP on loopback, and the time and
memory one request costs (no mocks: a real uvicorn server in a thread of this process)."""

from __future__ import annotations

import base64
import http.client
import socket
import statistics
import time
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from poflow.db.models import AuditEntry, RefusalTally

__all__ = [
    "BUDGET_MB",
    "BUDGET_MS",
    "Answer",
    "compressed_token",
    "cost",
    "get",
    "rows",
    "unterminated_chunked_post",
]

BUDGET_MS = 50.0  # a refused request, however hostile, is answered within this ...
BUDGET_MB = 5.0  # ... and costs at most this much extra memory (issue 23)


def compressed_token(chars: int) -> str:
    """A token of about `chars` characters whose payload is itsdangerous' compressed form ("."
    then base64 of zlib): its JSON names a public id of ~770 times `chars` characters, so it
    inflates to about 64 MB for 84 KB and 77 MB for 100 KB (measured). Not signed."""
    size = chars * 770
    while True:
        packed = zlib.compress(b'{"l":"' + b"a" * size + b'"}', 9)
        text = base64.urlsafe_b64encode(packed).rstrip(b"=").decode()
        if len(text) >= chars - 40:
            return f".{text}.{'A' * 27}"
        size = int(size * chars / len(text)) + 1000


@dataclass(frozen=True)
class Answer:
    """A response read over a raw connection."""

    status: int
    text: str

    @property
    def heading(self) -> str:
        """The page's h1 text."""
        start = self.text.find("<h1>") + 4
        return self.text[start : self.text.find("</h1>", start)].strip()


def get(host: str, port: int, path: str, method: str = "GET", **headers: str) -> Answer:
    """One request on a new connection with http.client (httpx refuses URLs over 64 KiB)."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def cost(request: Callable[[], Any], repeat: int = 5) -> tuple[Any, float, float]:
    """Run `request` `repeat` times untraced (the median time in ms), then once under
    tracemalloc (the peak above what was traced when it started, in MB): result, ms, MB."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = request()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, statistics.median(times), (peak - base) / 1e6


def unterminated_chunked_post(host: str, port: int, path: str, size: int) -> tuple[bytes, float]:
    """POST `size` bytes of chunked body and never send its final chunk: a server that reads
    the whole body waits forever; one that stops at its limit answers. Returns the answer's
    first bytes (empty if none came within 10 s) and how long it took in ms."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
        )
        started = time.perf_counter()
        chunk = b"notitie=" + b"a" * 16_376
        try:  # the server may close as soon as it has answered: then stop sending
            for _ in range(size // len(chunk)):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except ConnectionError:
            pass
        answer = b""
        try:  # the whole answer: until the page's end or the server closes
            while b"</html>" not in answer and (part := sock.recv(4096)):
                answer += part
        except (TimeoutError, ConnectionError):
            pass
        return answer, (time.perf_counter() - started) * 1000


def rows(rt: Any) -> tuple[int, int, int]:
    """(audit rows of refused links, tally rows, refusals counted in the tally)."""
    with rt.factory() as session:
        audits = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "link.refused")
        )
        tally = session.execute(
            select(func.count(), func.coalesce(func.sum(RefusalTally.count), 0))
        ).one()
    return int(audits or 0), int(tally[0]), int(tally[1])
