"""The check-ins' dated actions (CHK-2, CHK-3): the invitation with .ics to the leidinggevende
and the new employee, the reminder before, the request to record the talk, the escalation to P&O."""

from __future__ import annotations

from poflow.checkins.config import CheckinSection
from poflow.checkins.links import HELD_LINK
from poflow.checkins.rules import ESCALATE, INVITE, RECORD, REMIND
from poflow.db.models import Action, Hire, Step
from poflow.engine import TZ, Context, Handler, live_hire_step
from poflow.kernel.vocabulary import CaseType, Role
from poflow.links import link_url

__all__ = ["HANDLERS", "ask_to_record", "escalate_to_po", "send_invitations", "send_reminders"]


def _talk_context(ctx: Context, hire: Hire, step: Step) -> dict[str, object]:
    if step.starts_at is None or step.ends_at is None:
        raise ValueError(f"check-in step {step.id} has no appointment time")
    return {
        "medewerker": hire.full_name,
        "leidinggevende": ctx.person(hire.manager_id).full_name,
        "maand": step.data.get("month"),
        "start": step.starts_at.astimezone(TZ),
        "einde": step.ends_at.astimezone(TZ),
        "locatie": ctx.config.section("checkins", CheckinSection).location,
        "hire_id": hire.id,
    }


def send_invitations(ctx: Context, action: Action) -> bool:
    """Invite the leidinggevende and the new employee, each with the .ics (CHK-2)."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    manager = ctx.recipient(ctx.person(hire.manager_id))
    employee = ctx.hire_recipient(hire)
    talk = _talk_context(ctx, hire, step)
    invitation = ctx.invitation_for(
        step,
        summary=f"{step.title}: {hire.full_name}",
        location=str(talk["locatie"]),
        description="Bij praat moment tussen leidinggevende en nieuwe medewerker.",
        attendees=(manager, employee),
    )
    for who, to in ((Role.LEIDINGGEVENDE, manager), (Role.MEDEWERKER, employee)):
        ctx.mail(
            key=f"{action.key}:{who}",
            template="checkins/uitnodiging",
            to=to,
            context={**talk, "rol": who, "bijgewerkt": step.sequence > 0},
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
            invitation=invitation,
        )
    return True


def send_reminders(ctx: Context, action: Action) -> bool:
    """Remind both shortly before the talk (CHK-2); skipped once the day has passed."""
    found = live_hire_step(ctx, action)
    if found is None or ctx.day > found[1].due_date:
        return False
    hire, step = found
    talk = _talk_context(ctx, hire, step)
    for who, to in (
        (Role.LEIDINGGEVENDE, ctx.recipient(ctx.person(hire.manager_id))),
        ("medewerker", ctx.hire_recipient(hire)),
    ):
        ctx.mail(
            key=f"{action.key}:{who}",
            template="checkins/herinnering",
            to=to,
            context={**talk, "rol": who},
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
        )
    return True


def ask_to_record(ctx: Context, action: Action) -> bool:
    """Ask the leidinggevende to record that the talk took place, if not yet done (CHK-3)."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    held = link_url(
        ctx,
        action=HELD_LINK,
        subject_id=hire.manager_id,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        step_id=step.id,
    )
    ctx.mail(
        key=f"{action.key}:leidinggevende",
        template="checkins/vastleggen",
        to=ctx.recipient(ctx.person(hire.manager_id)),
        context={**_talk_context(ctx, hire, step), "step_id": step.id, "links": {"held": held}},
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


def escalate_to_po(ctx: Context, action: Action) -> bool:
    """Tell P&O that a talk is still not recorded as held (CHK-3)."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    ctx.mail(
        key=f"{action.key}:po",
        template="checkins/escalatie",
        to=ctx.po_recipient(),
        context=_talk_context(ctx, hire, step),
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    ctx.audit("step.escalated", "step", str(step.id), hire=hire.id, to="po")
    return True


# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    INVITE: send_invitations,
    REMIND: send_reminders,
    RECORD: ask_to_record,
    ESCALATE: escalate_to_po,
}
