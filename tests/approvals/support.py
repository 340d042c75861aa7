"""Shared pieces of the four-eyes tests: the people asked, asking them, deciding by link."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.approvals.models import Approval
from poflow.approvals.requests import approval_outcome, request_approval
from poflow.db.models import AuditEntry
from poflow.kernel.calendar import today
from poflow.kernel.foureyes import Outcome
from poflow.mail.sending import SmtpTarget, send_queued
from tests.conftest import SmtpRecorder
from tests.web.support import csrf_of, link_in_mail, login_for_link, path_of

BRAM = "bram.dewit@hardenberg.example.nl"  # HB-0002, po_adviseur
NOA = "noa.brink@hardenberg.example.nl"  # HB-0090, fictional: leidinggevende and po_adviseur
ASKED = {"leidinggevende": "HB-0004", "po_adviseur": "HB-0002"}


def ask(
    rt: Any, smtp: SmtpRecorder, required: dict[str, str], subject_id: str = "OFFER-1"
) -> dict[str, str]:
    """Request the approval, send the mails; return each recipient's link path by address."""
    with rt.factory() as session, session.begin():
        ctx = rt.context(session, "hardenberg", today())
        request_approval(
            ctx,
            subject_type="offer",
            subject_id=subject_id,
            required=required,
            title="Arbeidsvoorwaarden kandidaat K-17",
        )
    send_queued(rt.factory, SmtpTarget.from_settings(rt.settings))
    return {
        str(m["To"]).split("<")[-1].rstrip(">"): path_of(link_in_mail(m))
        for m in smtp.messages
        if "Je besluit gevraagd" in str(m["Subject"])
    }


def decide(client: TestClient, path: str, besluit: str = "akkoord", toelichting: str = "") -> Any:
    """Log in as the link's person, open the link and press the button with a decision."""
    login_for_link(client, path)
    page = client.get(path)
    return client.post(
        path, data={"csrf": csrf_of(page.text), "besluit": besluit, "toelichting": toelichting}
    )


def outcome_of(rt: Any, subject_id: str = "OFFER-1") -> tuple[Outcome, int]:
    """Where the subject stands, and how many decisions were recorded for it."""
    with rt.factory() as session:
        count = len(
            session.scalars(select(Approval).where(Approval.subject_id == subject_id)).all()
        )
        return approval_outcome(session, "offer", subject_id), count


def audit_actions(rt: Any) -> list[str]:
    """The audit log's actions, in order."""
    with rt.factory() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
