"""The calendar cancellations of a cancelled hire's appointments (ONB-5)."""

from __future__ import annotations

from dataclasses import replace

from poflow.db.models import Action, Hire
from poflow.engine import TZ, Context, Handler, invited_recipients, last_invitation
from poflow.hires.services import CALENDAR_CANCEL

__all__ = ["HANDLERS", "send_calendar_cancellation"]


def send_calendar_cancellation(ctx: Context, action: Action) -> bool:
    """Send METHOD:CANCEL for a cancelled appointment to everyone who got its invitation.

    The cancellation mirrors the last invitation that went out: the same UID, attendees (by
    name), place, summary and time, and a mail naming the talk and whom it is about.
    """
    step = action.step
    hire = ctx.session.get(Hire, action.case_id)
    sent = last_invitation(ctx.session, step) if step is not None else None
    if step is None or hire is None or sent is None:
        return False
    cancellation = replace(
        sent,
        sequence=step.sequence,
        description=f"Deze afspraak gaat niet door. {sent.description}".strip(),
        cancelled=True,
    )
    reached = invited_recipients(ctx.session, step)
    for to in reached:
        ctx.mail(
            key=f"{action.key}:{to.id or to.email}",
            template="afspraak_geannuleerd",
            to=to,
            context={
                "titel": sent.summary,
                "start": sent.starts_at.astimezone(TZ),
                "locatie": sent.location,
                "over": hire.full_name,
                "voor_medewerker": to.id == hire.id,
                "reden": "indiensttreding",
            },
            case_type=action.case_type,
            case_id=action.case_id,
            action=action,
            invitation=cancellation,
        )
    return bool(reached)


HANDLERS: dict[str, Handler] = {CALENDAR_CANCEL: send_calendar_cancellation}
