"""Helpers of the reliability tests (faults, bad input, bypasses, privacy): no fixtures, no mocks.

`record(kind, **figures)` appends one result line to the JSON-lines file named by
POFLOW_RELIABILITY_RESULTS (set by `python -m tools.reliability`); without it nothing is written.
`FaultySmtp` is a real aiosmtpd server on loopback that can be slowed, refuse with a reply code
for a while, or call back when it has accepted message n (to kill the sender in the window).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from poflow.db.models import Outbox
from poflow.states import MailState

__all__ = ["FaultySmtp", "Tally", "record", "tally"]

RESULTS_ENV = "POFLOW_RELIABILITY_RESULTS"
_LOCK = threading.Lock()


def record(kind: str, **figures: Any) -> None:
    """Append one result (scenario, bad input, bypass, privacy) for the reliability report."""
    target = os.environ.get(RESULTS_ENV)
    if not target:
        return
    line = json.dumps({"kind": kind, **figures}, default=str, sort_keys=True)
    with _LOCK, Path(target).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


class FaultySmtp:
    """A real SMTP server on loopback whose failures a test switches on and off.

    - `delay_s`: seconds to wait in DATA before answering (a slow server);
    - `refuse_from`/`refuse_count`: answer `refuse_reply` to messages number refuse_from ..
      refuse_from + refuse_count - 1 (counted over every DATA, 1-based), accept the rest;
    - `hold_for_sessions`: hold every DATA until that many SMTP sessions have sent one, so
      concurrent senders are sure to overlap;
    - `on_data`: called with the DATA number before the message is judged; it may return
      "accept-then" (record, then call `after_accept`) or "drop" (do not record, answer 451).
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from tests.conftest import free_port

        self.message_ids: list[str] = []
        self.messages: list[email.message.EmailMessage] = []
        self.data_calls = 0
        self.delay_s = 0.0
        self.refuse_from: int | None = None
        self.refuse_count = 0
        self.refuse_reply = "451 4.3.0 Tijdelijk niet beschikbaar, probeer later"
        self.on_data: Callable[[int], str | None] | None = None
        self.after_accept: Callable[[], None] | None = None
        self.refused = 0
        self.hold_for_sessions = 0  # DATA waits (up to 30 s) until this many senders connected
        self.sessions: set[int] = set()
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.data_calls += 1
            n = self.data_calls
            self.sessions.add(id(session))
        waited = 0.0
        while len(self.sessions) < self.hold_for_sessions and waited < 30:
            await asyncio.sleep(0.05)
            waited += 0.05
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        verdict = self.on_data(n) if self.on_data else None
        if verdict == "drop":
            return "451 4.3.0 dropped"
        if (
            self.refuse_from is not None
            and self.refuse_from <= n < self.refuse_from + self.refuse_count
        ):
            self.refused += 1
            return self.refuse_reply
        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.message_ids.append(str(msg["Message-ID"]))
        if verdict == "accept-then" and self.after_accept:
            self.after_accept()
        return "250 OK"

    def start(self) -> FaultySmtp:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for_messages(self, n: int, timeout: float = 30.0) -> bool:
        """Block until `n` messages were accepted (or the timeout passed)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.message_ids) >= n:
                return True
            time.sleep(0.02)
        return len(self.message_ids) >= n


@dataclass
class Tally:
    """Mails expected (the outbox's unique messages) against mails the server received."""

    expected: int
    received: int
    duplicates: int
    lost: int
    duplicate_ids: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, int]:
        """The four numbers of the report."""
        return {
            "expected": self.expected,
            "received": self.received,
            "duplicates": self.duplicates,
            "lost": self.lost,
        }


def tally(
    factory: Any, message_ids: list[str], *, exclude_case_types: tuple[str, ...] = ("run",)
) -> Tally:
    """Compare the outbox (every message that should go out once) with what the server got.

    Failure notices of failed runs (case type "run") are one per run by design and left out.
    """
    with factory() as session:
        rows = session.execute(select(Outbox.message_id, Outbox.state, Outbox.case_type)).all()
    expected = {
        mid
        for mid, state, case in rows
        if case not in exclude_case_types and state != MailState.CANCELLED
    }
    counts = Counter(m for m in message_ids if m in expected)
    dups = [m for m, c in counts.items() if c > 1]
    return Tally(
        expected=len(expected),
        received=sum(counts.values()),
        duplicates=sum(c - 1 for c in counts.values()),
        lost=len(expected - set(counts)),
        duplicate_ids=dups,
    )
