"""The aanstellingsadvies (REC-10): rendered from templates, a PDF by fpdf2, mailed once.

The engine's outbox carries no attachments, so the advice has its own row (rec_document) with
the same guarantees: a unique key (X-1), sent inside the transaction that holds its lock, and
left queued when the SMTP server is away (X-2).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import jinja2
from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poflow._exceptions import MailDeliveryError
from poflow.config import MunicipalityConfig
from poflow.db.base import utcnow
from poflow.db.models import Outbox
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.mail.outbox import message_id_for
from poflow.mail.render import render_mail
from poflow.mail.sending import SmtpTarget, compose
from poflow.recruitment.mails import round_context, section
from poflow.recruitment.models import (
    Candidate,
    RecruitmentRound,
    RoundDocument,
    RoundTransition,
)
from poflow.recruitment.states import RoundState

__all__ = [
    "ADVICE",
    "AdviceLine",
    "advice_lines",
    "render_pdf",
    "send_documents",
    "senders",
    "write_advice",
]

ADVICE = "aanstellingsadvies"  # the kind of the one document a round sends (REC-10)

log = logging.getLogger("poflow.recruitment")
_LATIN1 = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "€": "EUR", "…": "..."}
)


@dataclass(frozen=True, slots=True)
class AdviceLine:
    """One line of the advice: a heading, a field (label and value) or a paragraph."""

    kind: str  # "h1", "h2", "field" or "p"
    text: str
    value: str = ""


def advice_lines(
    templates_dir: str, context: dict[str, Any], *, template: str = "docs/aanstellingsadvies.txt"
) -> list[AdviceLine]:
    """Render a document of templates/docs/ (the aanstellingsadvies, the concept contract) into
    lines (pure apart from reading it)."""
    # The advice renders to plain text for the PDF, never to HTML: there is nothing to escape.
    env = jinja2.Environment(  # noqa: S701
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    text = env.get_template(template).render(context)
    lines: list[AdviceLine] = []
    for raw in text.split("\n\n"):
        block = " ".join(raw.split())
        if not block:
            continue
        if block.startswith("## "):
            lines.append(AdviceLine("h2", block[3:]))
        elif block.startswith("# "):
            lines.append(AdviceLine("h1", block[2:]))
        elif block.startswith("| "):
            for row in raw.strip().splitlines():
                label, _, value = row.strip("| ").partition("|")
                lines.append(AdviceLine("field", label.strip(), value.strip()))
        else:
            lines.append(AdviceLine("p", block))
    return lines


def render_pdf(lines: list[AdviceLine], *, title: str) -> bytes:
    """A plain A4 PDF of the advice lines (core fonts, so Latin-1 text)."""
    pdf = FPDF(format="A4")
    pdf.set_title(title.translate(_LATIN1))
    pdf.set_author("poflow")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    for line in lines:
        text = line.text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")
        if line.kind == "h1":
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif line.kind == "h2":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        elif line.kind == "field":
            value = line.value.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(60, 7, text)
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


def write_advice(ctx: Context, rnd: RecruitmentRound, cand: Candidate) -> RoundDocument:
    """Render the advice for the college B&W (mail plus PDF) and queue it once (REC-10)."""
    key = f"rec.advies:{rnd.id}:t{rnd.terms_version}"
    existing = ctx.session.scalar(select(RoundDocument).where(RoundDocument.key == key))
    if existing is not None:
        return existing
    cfg, m = section(ctx), ctx.config.municipality
    terms = rnd.terms
    context = {
        **round_context(ctx, rnd),
        "gemeente": m.name,
        "afzender": m.sender_name,
        "po_mailbox": str(m.po_mailbox),
        "vandaag": ctx.day,
        "base_url": ctx.settings.resolved_base_url(),
        "huisstijl": ctx.config.house_style,
        "ontvanger": {"name": cfg.college_name, "email": str(cfg.college_email)},
        "college": cfg.college_name,
        "kandidaat": cand.full_name,
        "leidinggevende": ctx.person(rnd.leidinggevende_id).full_name,
        "startdatum": date.fromisoformat(terms["start_date"]),
        "contractvorm": terms["contract_type"],
        "maanden": terms["contract_months"],
        "tier": cand.tier,
        "intern": cand.tier < 4,
        "extern_gepubliceerd": ctx.session.scalar(
            select(RoundTransition.id).where(
                RoundTransition.round_id == rnd.id,
                RoundTransition.to_state == RoundState.EXTERNAL.value,
            )
        )
        is not None,
    }
    templates = str(ctx.settings.templates_dir)
    lines = advice_lines(templates, context)
    mail = render_mail(
        ctx.config.templates(ctx.settings.templates_dir),
        "recruitment/rec_aanstellingsadvies",
        {**context, "regels": lines},
    )
    doc = RoundDocument(
        round_id=rnd.id,
        municipality=ctx.municipality,
        kind=ADVICE,
        key=key,
        recipient_name=cfg.college_name,
        recipient_email=str(cfg.college_email),
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        filename=f"aanstellingsadvies-{rnd.id}.pdf",
        pdf=render_pdf(lines, title=f"Aanstellingsadvies {rnd.id}"),
        attempts=0,
    )
    ctx.session.add(doc)
    ctx.session.flush()
    ctx.audit("round.advice_written", CaseType.ROUND, rnd.id, document=doc.id)
    return doc


def _message(doc: RoundDocument, sender_name: str, sender_email: str) -> Any:
    shell = Outbox(
        key=doc.key,
        message_id=message_id_for(doc.key, sender_email.split("@")[-1]),
        subject=doc.subject,
        sender_name=sender_name,
        sender_email=sender_email,
        recipient_name=doc.recipient_name,
        recipient_email=doc.recipient_email,
        body_text=doc.body_text,
        body_html=doc.body_html,
        ics=None,
        created_at=doc.created_at,
    )
    msg = compose(shell)
    msg.add_attachment(doc.pdf, maintype="application", subtype="pdf", filename=doc.filename)
    return msg


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    cls = smtplib.SMTP_SSL if target.ssl else smtplib.SMTP
    client = cls(target.host, target.port, timeout=target.timeout_s)
    if target.starttls:
        client.starttls()
    if target.user:
        client.login(target.user, target.password or "")
    return client


def senders(configs: Mapping[str, MunicipalityConfig]) -> dict[str, tuple[str, str]]:
    """The sender (name, address) of each municipality's documents, by slug."""
    return {
        slug: (c.municipality.sender_name, str(c.municipality.sender_email))
        for slug, c in configs.items()
    }


def send_documents(
    factory: sessionmaker[Session], target: SmtpTarget, senders: dict[str, tuple[str, str]]
) -> list[int]:
    """Send each unsent document once; `senders` maps municipality -> (name, address)."""
    sent: list[int] = []
    client: smtplib.SMTP | None = None
    try:
        while True:
            with factory() as session, session.begin():
                query = select(RoundDocument).where(
                    RoundDocument.sent_at.is_(None), RoundDocument.id.not_in(sent or [0])
                )
                if session.get_bind().dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                doc = session.scalars(query.order_by(RoundDocument.id).limit(1)).first()
                if doc is None:
                    return sent
                name, address = senders[doc.municipality]
                client = client or _connect(target)
                doc.attempts += 1
                client.send_message(
                    _message(doc, name, address), from_addr=address, to_addrs=[doc.recipient_email]
                )
                doc.sent_at = utcnow()
                sent.append(doc.id)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailDeliveryError(
            f"Sending the recruitment documents stopped after {len(sent)}: "
            f"the SMTP server at {target.host}:{target.port} failed "
            f"({type(exc).__name__}); the rest stays queued."
        ) from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                log.debug("closing the SMTP connection failed")
