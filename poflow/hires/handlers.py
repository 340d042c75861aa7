"""The calendar cancellations of a cancelled hire's appointments (ONB-5)."""

from __future__ import annotations

from poflow.db.models import Action
from poflow.engine import TZ, Context, Handler, invited_recipients
from poflow.hires.services import CALENDAR_CANCEL
from poflow.mail.outbox import Recipient

__all__ = ["HANDLERS", "send_calendar_cancellation"]


def send_calendar_cancellation(ctx: Context, action: Action) -> bool:
    """Send METHOD:CANCEL for a cancelled appointment to everyone who got its invitation."""
    step = action.step
    if step is None or step.starts_at is None:
        return False
    reached = invited_recipients(ctx.session, step)
    attendees = [Recipient(rid, rid or "", email) for rid, email in reached]
    invitation = ctx.invitation_for(
        step,
        summary=step.title,
        description="Deze afspraak is geannuleerd.",
        location=ctx.config.municipality.first_day_place,
        attendees=attendees,
        cancelled=True,
    )
    for person_id, email in reached:
        ctx.mail(
            key=f"{action.key}:{person_id or email}",
            template="afspraak_geannuleerd",
            to=Recipient(person_id, "", email),
            context={"titel": step.title, "start": step.starts_at.astimezone(TZ)},
            case_type=action.case_type,
            case_id=action.case_id,
            action=action,
            invitation=invitation,
        )
    return bool(reached)


HANDLERS: dict[str, Handler] = {CALENDAR_CANCEL: send_calendar_cancellation}
