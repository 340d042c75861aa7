"""Sending the outbox over SMTP (X-2).

Sending takes one queued row at a time inside its own transaction, locked against every other
sender (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE), hands it to the SMTP server
and marks it sent in the same unit of work, committed before the next message is claimed. The
only window for a duplicate is a crash between the server's acceptance and the commit: at most
one message per sending process. On PostgreSQL a message's mark, its commit and the next claim
travel in one round trip (pipeline mode).

A message fails alone (poflow.mail.failures says which failures are whose): its attempt, error
and backoff are recorded with the same UPDATE that marks a sent message, or it is parked with
P&O's notice queued in that transaction (poflow.mail.parking), and the pass goes on.
"""

from __future__ import annotations

import contextlib
import email.policy
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import yagmail
from sqlalchemy.orm import Session, sessionmaker

from poflow._exceptions import MailDeliveryError
from poflow.addresses import check_address
from poflow.db.base import utcnow
from poflow.db.models import Outbox
from poflow.kernel.calendar import TZ
from poflow.mail.claims import Outcome, open_claims
from poflow.mail.failures import (
    COMPOSE_ERRORS,
    SEND_ERRORS,
    Failure,
    classify_compose,
    classify_send,
    retry_at,
)
from poflow.mail.parking import Notices
from poflow.settings import get_settings
from poflow.states import MailState

__all__ = ["SendReport", "SmtpTarget", "compose", "mail_date", "send_queued"]

log = logging.getLogger("poflow.mail")
_POLICY = email.policy.default.clone(max_line_length=998)
logging.getLogger("yagmail").setLevel(logging.CRITICAL)  # it logs recipients' addresses (X-3)
# Refusals of that many messages in a row by the server (of their recipients or their data, for
# now or for good) are the server's trouble, not theirs: a relay that denies every recipient
# would otherwise park the whole queue. The pass stops as for a server failure.
_SERVER_STREAK = 3


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where and how to deliver."""

    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    timeout_s: float = 10.0
    max_attempts: int = 5  # attempts at one message before it is parked
    retry_after_s: float = 900.0  # wait after a message's first failure; doubles each time

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpTarget:
        """The SMTP server named by POFLOW_SMTP_* settings."""
        password = settings.smtp_password
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=password.get_secret_value() if password else None,
            starttls=settings.smtp_starttls,
            ssl=settings.smtp_ssl,
            timeout_s=settings.smtp_timeout_s,
            max_attempts=settings.mail_max_attempts,
            retry_after_s=settings.mail_retry_after_s,
        )


@dataclass(slots=True)
class SendReport:
    """What one sending pass did, as outbox ids (never addresses): sent; failed alone (not
    composed or refused by the server), waiting for a next attempt or parked; parked."""

    sent: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    parked: list[int] = field(default_factory=list)
    error: str | None = None


def mail_date(queued_at: datetime | None, dated: date | None = None) -> datetime:
    """A message's Date: when it was queued, or in a simulated run the simulated day `dated`
    at that moment's clock time (Europe/Amsterdam), so a mail about 2027 is dated in 2027."""
    at = (queued_at or utcnow()).astimezone(TZ)
    if dated is not None and dated != at.date():
        at = datetime.combine(dated, at.timetz())
    return at.astimezone(UTC)


def compose(row: Any, *, dated: date | None = None) -> EmailMessage:
    """Build the MIME message: text and HTML alternatives, plus an invitation when there is one.

    `row` is an Outbox object or a row of its columns (the sending loop reads Core rows);
    `dated` is the simulated day of a simulated run (the Date header's day, see mail_date).

    An invitation goes in as a text/calendar alternative with its method (what Outlook reads)
    and as an attached invite.ics (what other clients offer to open).
    """
    # Fold headers only at RFC 5322's hard limit: some folds of long Dutch subjects came out
    # of parsers with a leading space.
    msg = EmailMessage(policy=_POLICY)
    msg["Subject"] = row.subject
    msg["From"] = _address(row.sender_name, row.sender_email)
    msg["To"] = _address(row.recipient_name or "", row.recipient_email)
    msg["Date"] = format_datetime(mail_date(row.created_at, dated))
    msg["Message-ID"] = row.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Poflow-Key"] = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    if row.ics:
        msg.add_alternative(row.ics, subtype="calendar", params={"method": row.ics_method or ""})
        msg.make_mixed()
        msg.add_attachment(
            row.ics.encode("utf-8"), maintype="application", subtype="ics", filename="invite.ics"
        )
    return msg


def _address(name: str, address: str) -> Address:
    """A header address. One with non-ASCII before the @ (allowed by POFLOW_SMTPUTF8) is
    checked whole and built from its parts (an addr_spec with it is a defect to the parser);
    the server then has to offer SMTPUTF8, or the message fails alone."""
    local, _, domain = address.rpartition("@")
    if local.isascii():
        return Address(name, addr_spec=address)
    check_address(address, smtputf8=True, field="recipient address")
    return Address(name, username=local, domain=domain)


def _connect(target: SmtpTarget) -> yagmail.SMTP:
    client = yagmail.SMTP(
        user=target.user or "poflow",
        password=target.password or "unused",
        host=target.host,
        port=target.port,
        smtp_starttls=target.starttls,
        smtp_ssl=target.ssl,
        smtp_skip_login=not target.user,
        soft_email_validation=False,
        timeout=target.timeout_s,
    )
    client.login()
    return client


def send_queued(
    factory: sessionmaker[Session],
    target: SmtpTarget,
    *,
    municipality: str | None = None,
    notices: Notices | None = None,
    dated: date | None = None,
) -> SendReport:
    """Send every queued message that is due over one SMTP connection; a message that fails
    alone is recorded and the pass goes on; stop at the first server failure.

    A message is marked sent in the same transaction that held its lock while the server
    accepted it, and that transaction commits before the next message is claimed. A message
    that cannot be composed or whose recipient the server refuses gets its attempt, its error
    and a backoff, or is parked (P&O told, in the same transaction) after its last attempt or
    a refusal for good. On a connection failure the rest stays queued for the next pass, and
    MailDeliveryError is raised with the count of what did go out (X-2). `dated`: the
    simulated day of a simulated run, the day every message sent is dated (mail_date).
    """
    report = SendReport()
    client: yagmail.SMTP | None = None
    last_id = 0
    now = utcnow()
    try:
        # One connection for the pass, one transaction per message (its claim, send and mark).
        # Core, not a Session: outbox rows are no ORM objects here, and a Session's bookkeeping
        # per statement was a third of the loop's own cost.
        with factory.kw["bind"].connect() as connection:
            claims = open_claims(connection, municipality, now)
            outcome: Outcome | None = None
            streak = 0  # messages the server refused in a row
            try:
                while True:
                    row = claims.advance(outcome, last_id)
                    outcome = None
                    if row is None:
                        break
                    last_id = row.id
                    try:
                        message = compose(row, dated=dated)
                    except COMPOSE_ERRORS as exc:
                        outcome = _failed(row, classify_compose(exc), target, now, notices, report)
                        continue
                    if client is None:
                        client = _connect(target)
                    try:
                        client.smtp.send_message(
                            message, from_addr=row.sender_email, to_addrs=[row.recipient_email]
                        )
                    except SEND_ERRORS as exc:
                        failure = classify_send(exc)
                        if failure is not None and failure.kind in ("temporary", "refused"):
                            streak += 1
                        if failure is None or streak >= _SERVER_STREAK:
                            raise
                        outcome = _failed(row, failure, target, now, notices, report)
                        continue
                    streak = 0
                    outcome = Outcome(row.id, MailState.SENT, sent_at=utcnow())
                    report.sent.append(row.id)
            except BaseException:
                claims.abandon()
                raise
    except (OSError, smtplib.SMTPException) as exc:
        # Only the exception's type leaves this function: its text can hold addresses.
        report.error = type(exc).__name__
        if last_id:
            with factory() as session, session.begin():
                row = session.get(Outbox, last_id)
                if row is not None and row.state == MailState.QUEUED:
                    row.attempts += 1
                    row.last_error = f"not delivered: {report.error}"
        raise MailDeliveryError(
            f"Sending stopped after {len(report.sent)} message(s): the SMTP server at "
            f"{target.host}:{target.port} failed ({report.error}); "
            "the remaining messages stay queued for the next run."
        ) from None
    finally:
        if client is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                client.close()
    log.info(
        "sent %d message(s); %d failed alone, %d of them parked",
        len(report.sent),
        len(report.refused),
        len(report.parked),
    )
    return report


def _failed(
    row: Any,
    failure: Failure,
    target: SmtpTarget,
    now: datetime,
    notices: Notices | None,
    report: SendReport,
) -> Outcome:
    """The outcome of a message that failed alone: queued again after its backoff, or parked
    with P&O's notice. Logged by outbox id and case id only (X-3)."""
    attempts = row.attempts + 1
    report.refused.append(row.id)
    when = retry_at(
        attempts,
        failure,
        max_attempts=target.max_attempts,
        base_s=target.retry_after_s,
        now=now,
    )
    if when is not None:
        log.warning(
            "message %d (%s %s) not sent, attempt %d: %s; tried again from %s",
            row.id,
            row.case_type,
            row.case_id,
            attempts,
            failure.reason,
            when.isoformat(timespec="minutes"),
        )
        return Outcome(row.id, MailState.QUEUED, error=failure.error, next_attempt_at=when)
    report.parked.append(row.id)
    log.warning(
        "message %d (%s %s) parked after %d attempt(s): %s; P&O is told",
        row.id,
        row.case_type,
        row.case_id,
        attempts,
        failure.reason,
    )
    notices = notices or Notices.from_settings(get_settings())
    return Outcome(
        row.id,
        MailState.PARKED,
        error=failure.error,
        notice=notices.notice(row, attempts, failure.error),
    )
