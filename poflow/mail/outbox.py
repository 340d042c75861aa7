"""The mail outbox: a rendered message is queued once per unique key (X-1), in the same
transaction as the state change it reports; `poflow.mail.sending` sends what is queued (X-2)."""

from __future__ import annotations

import email.policy
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from poflow.db.base import insert_for, table_of, utcnow
from poflow.db.models import Outbox
from poflow.mail.ics import Invitation, build_ics
from poflow.mail.render import Templates, render_mail
from poflow.states import MailState

__all__ = ["SAVEPOINTS", "Recipient", "message_id_for", "outbox_row", "queue_mail", "queue_rows"]

log = logging.getLogger("poflow.mail")
_T = table_of(Outbox)
# session.info keys: rows queued in this session by key; whether to wrap each row in a savepoint
# (the default; the engine's batches turn it off and redo a failed batch with it on).
_QUEUED_HERE = "poflow.outbox.queued"
SAVEPOINTS = "poflow.savepoints"
_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets a message: a person id (None for a team mailbox), a name and an address, and
    the given name the salutation uses (None: the name's first word)."""

    id: str | None
    name: str
    email: str
    given_name: str | None = None


def message_id_for(key: str, domain: str) -> str:
    """A deterministic Message-ID, so a message is recognisable whatever happens (X-1)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


# What a key withdrawn by a move (cancelled, never sent) gets anew when it is queued again.
_REQUEUED = (
    "recipient_email",
    "recipient_name",
    "subject",
    "body_text",
    "body_html",
    "ics",
    "ics_method",
    "action_id",
    "state",
)


def queue_mail(
    session: Session,
    *,
    key: str,
    templates_dir: Templates,
    template: str,
    context: dict[str, Any],
    to: Recipient,
    sender_name: str,
    sender_email: str,
    municipality: str,
    case_type: str,
    case_id: str,
    action_id: int | None = None,
    invitation: Invitation | None = None,
    ics: str | None = None,
) -> Outbox | None:
    """Render and queue one message under `key`; return None when that key was queued before.

    A row withdrawn by a move (cancelled, never sent) is re-rendered and queued again. `ics` is
    the invitation's text when the caller built it already (one invitation, several mails).
    """
    queued_here: dict[str, Outbox] = session.info.setdefault(_QUEUED_HERE, {})
    mine = queued_here.get(key)
    if mine is not None and not inspect(mine).transient and mine.state != MailState.CANCELLED:
        return None  # queued earlier in this transaction (and no savepoint undid it)
    with session.no_autoflush:  # rows of this transaction not yet flushed are in queued_here
        existing = session.scalar(select(Outbox).where(Outbox.key == key))
    if existing is not None and existing.state != MailState.CANCELLED:
        return None
    rendered = render_mail(templates_dir, template, context)
    if invitation is not None and ics is None:
        ics = build_ics(invitation, stamp=utcnow())
    values = outbox_row(
        key=key,
        rendered=rendered,
        to=to,
        sender_name=sender_name,
        sender_email=sender_email,
        municipality=municipality,
        case_type=case_type,
        case_id=case_id,
        template=template,
        action_id=action_id,
        ics=ics,
        ics_method=invitation.method if invitation else None,
    )
    if existing is not None:  # withdrawn by a move: queued again with the new content
        for column in _REQUEUED:
            setattr(existing, column, values[column])
        return existing
    row = Outbox(**values)
    if not session.info.get(SAVEPOINTS, True):
        session.add(row)  # the caller redoes its batch with savepoints if the commit fails
    else:
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # a concurrent dispatcher queued the same key first
            return None
    queued_here[key] = row
    return row


def outbox_row(
    *,
    key: str,
    rendered: Any,
    to: Recipient,
    sender_name: str,
    sender_email: str,
    municipality: str,
    case_type: str,
    case_id: str,
    template: str,
    action_id: int | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
) -> dict[str, Any]:
    """The column values of a new queued message (`rendered`: a RenderedMail)."""
    return {
        "key": key,
        "message_id": message_id_for(key, sender_email.rpartition("@")[2] or "poflow.local"),
        "municipality": municipality,
        "case_type": case_type,
        "case_id": case_id,
        "action_id": action_id,
        "template": template,
        "recipient_id": to.id,
        "recipient_email": to.email,
        "recipient_name": to.name,
        "sender_name": sender_name,
        "sender_email": sender_email,
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "ics": ics,
        "ics_method": ics_method,
        "state": MailState.QUEUED,
    }


def queue_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Queue rendered messages (outbox_row values) with one statement, once per key (X-1).

    A key queued before is left as it is; one a move withdrew (cancelled, never sent) is queued
    again with the new content, as queue_mail does. For batches without savepoints: a failure
    rolls the batch back and the engine redoes it message by message.
    """
    if not rows:
        return
    session.flush()  # a message queued one by one in this transaction is a key queued before
    stmt = insert_for(session, _T)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={column: stmt.excluded[column] for column in _REQUEUED},
        where=_T.c.state == MailState.CANCELLED,
    )
    session.execute(stmt, rows)
