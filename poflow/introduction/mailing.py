"""What the introduction programme's mails carry: signed action links, a group session's
template variables and each person's calendar invitation to it (INT-3..5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow.engine import TZ, Context
from poflow.introduction.models import IntroSession
from poflow.introduction.rules import link_valid_days
from poflow.links import link_url
from poflow.mail.ics import Invitation
from poflow.mail.outbox import Recipient

__all__ = ["action_url", "participant_invitation", "session_context"]


def action_url(
    ctx: Context,
    *,
    action: str,
    subject_id: str,
    case_type: str,
    case_id: str,
    valid_until: date,
    step_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """A signed single-use link that stays valid until the end of `valid_until` (plus a week)."""
    return link_url(
        ctx,
        action=action,
        subject_id=subject_id,
        case_type=case_type,
        case_id=case_id,
        step_id=step_id,
        data=data,
        expires_days=link_valid_days(ctx.day, valid_until),
    )


def session_context(s: IntroSession) -> dict[str, object]:
    """The template variables describing a session."""
    return {
        "titel": s.title,
        "start": s.starts_at.astimezone(TZ),
        "einde": s.ends_at.astimezone(TZ),
        "locatie": s.location,
        "sessie_id": s.id,
    }


def participant_invitation(
    ctx: Context, s: IntroSession, to: Recipient, uid_part: str, *, cancelled: bool = False
) -> Invitation:
    """The .ics of one person's place in a session: one uid per person, so each can be cancelled."""
    m = ctx.config.municipality
    return Invitation(
        uid=f"{s.uid}-{uid_part}@{ctx.municipality}.poflow",
        sequence=int(cancelled),
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        summary=s.title,
        location=s.location,
        description=f"{s.title} van het introductieprogramma van {m.name}.",
        organizer_name=m.sender_name,
        organizer_email=str(m.sender_email),
        attendees=((to.name, to.email),),
        cancelled=cancelled,
    )
