"""The check-ins' dated actions (CHK-2, CHK-3): the invitation with .ics to the leidinggevende
(when planned) and to the new employee (at work, from day one), the reminder before, the request
to record the talk, the escalation to P&O."""

from __future__ import annotations

from poflow.checkins.config import CheckinSection
from poflow.checkins.links import HELD_LINK
from poflow.checkins.planner import talk_title
from poflow.checkins.rules import ESCALATE, INVITE, INVITE_HIRE, RECORD, REMIND
from poflow.db.models import Action, Hire, Step
from poflow.engine import TZ, Context, Handler, invited_addresses, live_hire_step
from poflow.kernel.vocabulary import CaseType, Role
from poflow.kernel.wording import months_phrase, until_phrase
from poflow.links import link_url

__all__ = [
    "HANDLERS",
    "ask_to_record",
    "escalate_to_po",
    "send_hire_invitation",
    "send_invitations",
    "send_reminders",
]


def _talk_context(ctx: Context, hire: Hire, step: Step) -> dict[str, object]:
    """What the talk's mails say, right for the day they are read: before the first working
    day "start over vier weken", from it on "is sinds ... in dienst"."""
    if step.starts_at is None or step.ends_at is None:
        raise ValueError(f"check-in step {step.id} has no appointment time")
    month = int(step.data.get("month", 0))
    return {
        "medewerker": hire.full_name,
        "leidinggevende": ctx.person(hire.manager_id).full_name,
        "maand": month,
        "maanden": months_phrase(month),
        "titel": talk_title(month),
        "start": step.starts_at.astimezone(TZ),
        "einde": step.ends_at.astimezone(TZ),
        "locatie": ctx.config.section("checkins", CheckinSection).location,
        "hire_id": hire.id,
        "eerste_werkdag": hire.first_working_day,
        "begonnen": ctx.day >= hire.first_working_day,
        "begint_over": until_phrase(ctx.day, hire.first_working_day),
        "gesprek_over": until_phrase(ctx.day, step.due_date),
    }


def _invite(ctx: Context, action: Action, who: str) -> bool:
    """Send the talk's invitation (.ics) to the leidinggevende or to the new employee (CHK-2);
    both invitations are the same event: one UID, both attendees, the new employee at the
    work address."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    manager = ctx.recipient(ctx.person(hire.manager_id))
    employee = ctx.hire_invitee(hire)
    talk = _talk_context(ctx, hire, step)
    invitation = ctx.invitation_for(
        step,
        summary=f"{talk['titel']}: {hire.full_name}",
        location=str(talk["locatie"]),
        description="Bijpraatmoment van de leidinggevende met de nieuwe medewerker.",
        attendees=(manager, employee),
    )
    to = manager if who == Role.LEIDINGGEVENDE else employee
    # "Gewijzigd" only to whoever had the talk in their calendar at this address.
    changed = step.sequence > 0 and to.email.lower() in invited_addresses(ctx.session, step)
    ctx.mail(
        key=f"{action.key}:{who}",
        template="checkins/uitnodiging",
        to=to,
        context={**talk, "rol": who, "bijgewerkt": changed},
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
        invitation=invitation,
    )
    return True


def send_invitations(ctx: Context, action: Action) -> bool:
    """Invite the leidinggevende with the .ics as soon as the talk is planned or moved (CHK-2)."""
    return _invite(ctx, action, Role.LEIDINGGEVENDE)


def send_hire_invitation(ctx: Context, action: Action) -> bool:
    """Invite the new employee with the .ics at the work address, from day one (CHK-2)."""
    return _invite(ctx, action, Role.MEDEWERKER)


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
    INVITE_HIRE: send_hire_invitation,
    REMIND: send_reminders,
    RECORD: ask_to_record,
    ESCALATE: escalate_to_po,
}
