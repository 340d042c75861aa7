"""Why one message was not delivered, and what happens to it next (X-1, X-2).

A failure is either the message's own (it cannot be composed, the server refuses its recipient,
the server lacks SMTPUTF8 for its address): that message waits out a backoff and is parked
after its last attempt, while the pass goes on with the others. Or it is the server's (no
connection, a timeout, 421, a disconnect, a temporary refusal of the message's data): the pass
stops and everything stays queued (`classify_send` returns None). Only an exception's type and a
fixed phrase are kept, never its text: that can hold an address (X-3).
"""

from __future__ import annotations

import email.errors
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from poflow._exceptions import InputRefused

__all__ = [
    "COMPOSE_ERRORS",
    "SEND_ERRORS",
    "Failure",
    "classify_compose",
    "classify_send",
    "kind_of",
    "retry_at",
]

# What composing a message raises for content it cannot put into a message: header defects
# (ValueError subclasses), CR/LF in an address part, unencodable text, an unknown charset, an
# address with non-ASCII before the @ that is not one valid address.
COMPOSE_ERRORS: tuple[type[Exception], ...] = (
    InputRefused,
    ValueError,
    TypeError,
    LookupError,
    email.errors.MessageError,
)
# What handing one message to a working server can raise for that message alone.
SEND_ERRORS: tuple[type[Exception], ...] = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
    *COMPOSE_ERRORS,  # flattening the message for the wire, before any SMTP command
)
KINDS = ("address", "smtputf8", "refused", "temporary", "compose")


@dataclass(frozen=True, slots=True)
class Failure:
    """One message's failure: its kind (KINDS), a short reason without personal data, and
    whether trying again cannot help (the server refused it for good)."""

    kind: str
    reason: str
    permanent: bool = False

    @property
    def error(self) -> str:
        """The outbox row's last_error: kind, then reason (at most 300 characters)."""
        return f"{self.kind}: {self.reason}"[:300]


def kind_of(last_error: str | None) -> str:
    """The kind recorded at the start of a last_error ("compose" when it is not one of ours)."""
    kind = (last_error or "").partition(":")[0]
    return kind if kind in KINDS else "compose"


def classify_compose(exc: Exception) -> Failure:
    """A message whose content cannot be put into a MIME message."""
    name = type(exc).__name__
    text = str(exc)
    if isinstance(exc, InputRefused):
        return Failure("address", f"{name}: not one valid address")
    if isinstance(exc, email.errors.NonASCIILocalPartDefect):
        return Failure("address", f"{name}: non-ASCII in the local part of an address")
    if "CR or LF" in text:
        return Failure("address", f"{name}: CR or LF in an address or a name")
    if "linefeed or carriage return" in text:
        return Failure("compose", f"{name}: CR or LF in a header")
    if "Invalid addr_spec" in text:
        return Failure("address", f"{name}: more than one address, or text after the address")
    if isinstance(exc, email.errors.MessageError | email.errors.MessageDefect):
        return Failure("address", f"{name}: a malformed address or header")
    if isinstance(exc, UnicodeError):
        return Failure("compose", f"{name}: text that cannot be encoded")
    return Failure("compose", f"{name}: the message cannot be composed")


def classify_send(exc: Exception) -> Failure | None:
    """The failure of one message at a working server, or None when the server failed."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Failure("smtputf8", f"{name}: the mail server does not support SMTPUTF8")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        if not codes or 421 in codes:
            return None  # the server is closing the connection
        if all(code >= 500 for code in codes):
            return Failure("refused", f"{name}: recipient refused ({codes[0]})", permanent=True)
        return Failure("temporary", f"{name}: recipient refused for now ({codes[0]})")
    if isinstance(exc, smtplib.SMTPDataError):
        if exc.smtp_code >= 500:
            return Failure("refused", f"{name}: message refused ({exc.smtp_code})", permanent=True)
        return None  # a temporary refusal of the data: the server's trouble
    if isinstance(exc, COMPOSE_ERRORS):
        return classify_compose(exc)
    return None


def retry_at(
    attempts: int, failure: Failure, *, max_attempts: int, base_s: float, now: datetime
) -> datetime | None:
    """When a message that has now failed `attempts` times is tried again: `base_s` after the
    first failure, doubling (at most a day); None when it is to be parked instead."""
    if failure.permanent or attempts >= max_attempts:
        return None
    return now + timedelta(seconds=min(base_s * 2 ** (attempts - 1), 86_400.0))
