"""A local SMTP sink on loopback that writes every received message to an .eml file."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

__all__ = ["MailSink"]


class _WriteEml:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        existing = sorted(folder.glob("*.eml"))
        self.counter = itertools.count(len(existing) + 1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            n = next(self.counter)
        path = self.folder / f"{n:05d}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class MailSink:
    """Context manager running an aiosmtpd server; `.folder` holds the received .eml files."""

    def __init__(self, folder: Path, *, host: str = "127.0.0.1", port: int = 8025) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.controller = Controller(_WriteEml(self.folder), hostname=host, port=port)

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.controller.stop()
