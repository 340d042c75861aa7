"""Parked mail: P&O's notice when a message is parked, the list of parked mail and its retry.

A message is parked when it could not be composed or delivered after its attempts, or the
server refused it for good. P&O of its municipality gets a Dutch notice naming the message
(template, the person by name, the case id), why, and how to fix it; logs carry ids only (X-3).
`poflow mail failed` lists parked mail, `poflow mail retry ID` queues one again (audited, X-4).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import IllegalTransition, NotFound
from poflow.addresses import check_address, check_name, printable
from poflow.config import MunicipalityConfig, MunicipalitySection, load_municipality
from poflow.db.base import utcnow
from poflow.db.models import Outbox
from poflow.mail.failures import kind_of
from poflow.mail.outbox import Recipient, outbox_row
from poflow.mail.render import render_mail
from poflow.states import MAIL_STATES, MailState

__all__ = ["NOTICE_TEMPLATE", "Notices", "ParkedMail", "parked_mail", "retry_parked"]

log = logging.getLogger("poflow.mail")
NOTICE_TEMPLATE = "mail_geparkeerd"
_SECTIONS = (("municipality", MunicipalitySection),)


@lru_cache(maxsize=64)
def _municipality(config_dir: Path, slug: str) -> MunicipalityConfig:
    """A municipality's identity section (who P&O is, who sends) and folder (its own
    templates), read once per process."""
    return load_municipality(config_dir, slug, _SECTIONS)


class Notices:
    """Builds P&O's notice of a parked message as an outbox row (rendered, not yet queued)."""

    def __init__(self, templates_dir: Path, config_dir: Path, base_url: str = "") -> None:
        self.templates_dir = templates_dir
        self.config_dir = config_dir
        self.base_url = base_url  # the notice links to the page of parked messages

    @classmethod
    def from_settings(cls, settings: Any) -> Notices:
        """The notices of the installation named by the settings."""
        return cls(settings.templates_dir, settings.config_dir, settings.resolved_base_url())

    def notice(self, row: Any, attempts: int, error: str) -> dict[str, Any] | None:
        """The outbox row of P&O's notice that message `row` is parked after `attempts`; None
        for a notice itself (no notice of a notice) or when it cannot be built (logged)."""
        if row.template == NOTICE_TEMPLATE:
            log.warning("notice %d to P&O parked; no further notice", row.id)
            return None
        try:
            cfg = _municipality(self.config_dir, row.municipality)
            m = cfg.municipality
            to = Recipient(None, f"P&O {m.name}", str(m.po_mailbox))
            rendered = render_mail(
                cfg.templates(self.templates_dir),
                NOTICE_TEMPLATE,
                {
                    "huisstijl": cfg.house_style,
                    "gemeente": m.name,
                    "afzender": m.sender_name,
                    "po_mailbox": str(m.po_mailbox),
                    "ontvanger": to,
                    "base_url": self.base_url,
                    "bericht_id": row.id,
                    "sjabloon": row.template,
                    "naam": printable(row.recipient_name or ""),
                    "zaak_soort": row.case_type,
                    "zaak_id": row.case_id,
                    "pogingen": attempts,
                    "reden": error,
                    "soort": kind_of(error),
                    "slug": row.municipality,
                },
            )
            values = outbox_row(
                key=f"mail.parked:{row.id}:{attempts}",
                rendered=rendered,
                to=to,
                sender_name=m.sender_name,
                sender_email=str(m.sender_email),
                municipality=row.municipality,
                case_type="mail",
                case_id=str(row.id),
                template=NOTICE_TEMPLATE,
            )
        except Exception as exc:  # noqa: BLE001  (the park stands; `poflow mail failed` lists it)
            log.warning(  # the type only: a message's text may quote the row
                "could not build the P&O notice of parked message %d: %s",
                row.id,
                type(exc).__name__,
            )
            return None
        values["subject"] = values["subject"][:300]
        return {**values, "attempts": 0, "created_at": utcnow()}


@dataclass(frozen=True, slots=True)
class ParkedMail:
    """One parked message as `poflow mail failed` shows it: ids and the reason, no names."""

    id: int
    municipality: str
    case_type: str
    case_id: str
    template: str
    attempts: int
    reason: str
    created_at: datetime


def parked_mail(session: Session, municipality: str | None = None) -> list[ParkedMail]:
    """Every parked message (of `municipality`), oldest first."""
    query = select(Outbox).where(Outbox.state == MailState.PARKED).order_by(Outbox.id)
    if municipality:
        query = query.where(Outbox.municipality == municipality)
    return [
        ParkedMail(
            r.id,
            r.municipality,
            r.case_type,
            r.case_id,
            r.template,
            r.attempts,
            r.last_error or "",
            r.created_at,
        )
        for r in session.scalars(query)
    ]


def retry_parked(
    session: Session,
    outbox_id: int,
    *,
    actor: str,
    smtputf8: bool,
    to: str | None = None,
    name: str | None = None,
) -> Outbox:
    """Queue parked message `outbox_id` again, with a corrected address or name if given.

    It gets one more attempt: failing again, it is parked again and P&O is told again.
    NotFound for an unknown id; IllegalTransition for a message that is not parked.
    """
    row = session.get(Outbox, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound(f"Cannot retry mail {outbox_id}: there is no such message in the outbox.")
    if row.state is not MailState.PARKED:
        raise IllegalTransition(
            f"Cannot retry mail {outbox_id}: it is {row.state.value}, not parked; only parked "
            "mail is queued again (see: poflow mail failed)."
        )
    MAIL_STATES.check(f"mail {outbox_id}", row.state, MailState.QUEUED)
    changed = []
    if to is not None:
        row.recipient_email = check_address(to, smtputf8=smtputf8, field="--to")
        changed.append("recipient_email")
    if name is not None:
        row.recipient_name = check_name(name, field="--name", max_length=200)
        changed.append("recipient_name")
    audit.record(
        session,
        actor=actor,
        action="mail.retried",
        entity_type="mail",
        entity_id=str(row.id),
        municipality=row.municipality,
        attempts=row.attempts,
        reason=kind_of(row.last_error),
        changed=",".join(changed),
    )
    row.state = MailState.QUEUED
    row.next_attempt_at = None
    return row
