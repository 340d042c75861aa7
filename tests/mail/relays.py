"""Real SMTP relays on loopback for the poison-mail tests: aiosmtpd servers (FaultySmtp) that
refuse chosen recipients at RCPT with a reply code, with or without SMTPUTF8."""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller

from tests.reliability.support import FaultySmtp

__all__ = ["Relay"]


class Relay(FaultySmtp):
    """A FaultySmtp that answers `refuse_rcpt[part]` to a recipient address containing `part`
    (e.g. "550 5.1.1 unknown"), and offers SMTPUTF8 only when built with `smtputf8=True`."""

    def __init__(self, *, smtputf8: bool = False) -> None:
        super().__init__()
        self.refuse_rcpt: dict[str, str] = {}
        self.rcpt_refused: list[str] = []
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        for part, reply in self.refuse_rcpt.items():
            if part in address:
                self.rcpt_refused.append(address)
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def to(self, part: str) -> list[Any]:
        """The accepted messages whose To header contains `part`."""
        return [m for m in self.messages if part in str(m["To"])]

    def __enter__(self) -> Relay:
        return self.start()  # type: ignore[return-value]  (start returns this same object)

    def __exit__(self, *exc: object) -> None:
        self.stop()
