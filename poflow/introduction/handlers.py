"""The dated actions of the introduction programme (INT-1, INT-3..5), one handler per kind.

The hire's own line is mailed here: the welcome, e-learning reminders, role-specific items, the
invitations and reminders of the TMA debrief and the closing talk, and the offer of the light
variant. Each handler runs once when its action is due, and skips when the item is done, the
enrolment is closed or the hire is cancelled. The group sessions' handlers are attendance.py's;
`HANDLERS` collects both.
"""

from __future__ import annotations

from datetime import timedelta

from poflow.db.models import Action, Hire, Step
from poflow.engine import TZ, Context, Handler, invited_addresses, live_hire, live_hire_step
from poflow.introduction.attendance import ask_for_attendance, close_session, remind_participant
from poflow.introduction.config import section
from poflow.introduction.deadline import tell_overdue
from poflow.introduction.kinds import (
    ELEARN_OVERDUE,
    ELEARN_REMIND,
    LINK_ENROL,
    LINK_ITEM_DONE,
    LINK_TALK_HELD,
    OFFER,
    ROLE_ITEM,
    SESSION_ATTENDANCE,
    SESSION_CLOSE,
    SESSION_REMIND,
    TALK_INVITE,
    TALK_REMIND,
    TMA_KEY,
    WELCOME,
    elearning_key,
)
from poflow.introduction.mailing import action_url
from poflow.introduction.models import Enrolment, enrolment_of
from poflow.introduction.planner import end_of_programme
from poflow.introduction.states import EnrolmentState
from poflow.kernel.vocabulary import CaseType, Role
from poflow.mail.outbox import Recipient
from poflow.states import HireState

__all__ = [
    "HANDLERS",
    "announce_role_item",
    "invite_talk",
    "offer_light_variant",
    "remind_elearning",
    "remind_talk",
    "send_welcome",
]

TALK_INVITATION = "introduction/gesprek_uitnodiging"
TALK_REMINDER = "introduction/gesprek_herinnering"


def _enrolled(ctx: Context, hire: Hire | None) -> Enrolment | None:
    """The hire's enrolment while it is active, or None."""
    e = enrolment_of(ctx.session, hire.id) if hire is not None else None
    return e if e is not None and e.state == EnrolmentState.ACTIVE else None


def _open_step(ctx: Context, action: Action) -> tuple[Hire, Step] | None:
    """The live hire and open step of an action of an active enrolment, or None."""
    found = live_hire_step(ctx, action)
    return found if found is not None and _enrolled(ctx, found[0]) is not None else None


def _done_link(ctx: Context, hire: Hire, step: Step, subject: str, action: str) -> str:
    return action_url(
        ctx,
        action=action,
        subject_id=subject,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        step_id=step.id,
        valid_until=step.due_date + timedelta(days=30),
    )


def send_welcome(ctx: Context, action: Action) -> bool:
    """On the first working day: the programme, its six months, and the e-learning links."""
    hire = live_hire(ctx, action)
    e = _enrolled(ctx, hire)
    if hire is None or e is None:
        return False
    cfg = section(ctx.config)
    rows = []
    for item in cfg.variant_items(e.variant):
        step = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=elearning_key(item.key))
        link = _done_link(ctx, hire, step, hire.id, LINK_ITEM_DONE) if step else None
        rows.append(
            {"titel": item.title, "lijn": item.line, "omschrijving": item.description, "link": link}
        )
    ctx.mail(
        key=f"{action.key}:{Role.MEDEWERKER}",
        template="introduction/welkom",
        to=ctx.hire_recipient(hire),
        context={
            "onderdelen": rows,
            "einde": end_of_programme(ctx, hire),
            "verplicht": e.mandatory,
            "light": e.variant != cfg.primary_variant,
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


def _item_mail(ctx: Context, action: Action, template: str) -> bool:
    """Mail the employee an item of their own line with its deadline and a done link."""
    found = _open_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    ctx.mail(
        key=f"{action.key}:{Role.MEDEWERKER}",
        template=template,
        to=ctx.hire_recipient(hire),
        context={
            "titel": step.title,
            "deadline": step.due_date,
            "link": _done_link(ctx, hire, step, hire.id, LINK_ITEM_DONE),
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


def remind_elearning(ctx: Context, action: Action) -> bool:
    """INT-4: remind of an e-learning that is not done as its deadline nears."""
    return _item_mail(ctx, action, "introduction/elearning_herinnering")


def announce_role_item(ctx: Context, action: Action) -> bool:
    """INT-5: tell the employee of a role-specific item, with a link to report it done."""
    return _item_mail(ctx, action, "introduction/rolitem")


def _talk(ctx: Context, action: Action, template: str) -> bool:
    found = _open_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    if step.starts_at is None or step.ends_at is None:
        return False  # not a talk: nothing to invite to
    owner = ctx.person(step.owner_id) if step.owner_id else None
    people: list[tuple[str, Recipient, str | None]] = [
        (Role.MEDEWERKER, ctx.hire_recipient(hire), None)
    ]
    if owner is not None:
        held = _done_link(ctx, hire, step, owner.id, LINK_TALK_HELD)
        people.append((step.owner_role or "", ctx.recipient(owner), held))
    location = section(ctx.config).talk_location
    invited = invited_addresses(ctx.session, step)  # "Gewijzigd" only to who had it
    invitation = ctx.invitation_for(
        step,
        summary=f"{step.title}: {hire.full_name}",
        location=location,
        description=step.title,
        attendees=[p[1] for p in people],
    )
    for role, to, link in people:
        ctx.mail(
            key=f"{action.key}:{role}",
            template=template,
            to=to,
            context={
                "titel": step.title,
                "medewerker": hire.full_name,
                "rol": role,
                "tma": step.key == TMA_KEY,
                "start": step.starts_at.astimezone(TZ),
                "einde": step.ends_at.astimezone(TZ),
                "link": link,
                "locatie": location,
                "bijgewerkt": step.sequence > 0 and to.email.lower() in invited,
            },
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
            invitation=invitation if template == TALK_INVITATION else None,
        )
    return True


def invite_talk(ctx: Context, action: Action) -> bool:
    """INT-5: invite the employee and the coach or leidinggevende, with .ics and a record link."""
    return _talk(ctx, action, TALK_INVITATION)


def remind_talk(ctx: Context, action: Action) -> bool:
    """INT-5: remind both shortly before the talk."""
    return _talk(ctx, action, TALK_REMINDER)


def offer_light_variant(ctx: Context, action: Action) -> bool:
    """INT-1/INT-6: offer the leidinggevende of a secondary-group hire to enrol them (light)."""
    hire = ctx.session.get(Hire, action.case_id)
    if (
        hire is None
        or hire.state == HireState.CANCELLED
        or enrolment_of(ctx.session, hire.id) is not None
    ):
        return False
    manager = ctx.person(hire.manager_id)
    cfg = section(ctx.config)
    link = action_url(
        ctx,
        action=LINK_ENROL,
        subject_id=manager.id,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        valid_until=end_of_programme(ctx, hire),
    )
    ctx.mail(
        key=f"{action.key}:{Role.LEIDINGGEVENDE}",
        template="introduction/light_aanbod",
        to=ctx.recipient(manager),
        context={
            "medewerker": hire.full_name,
            "link": link,
            "onderdelen": [i.title for i in cfg.variant_items(cfg.secondary_variant)],
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


HANDLERS: dict[str, Handler] = {
    WELCOME: send_welcome,
    ELEARN_REMIND: remind_elearning,
    ELEARN_OVERDUE: tell_overdue,
    ROLE_ITEM: announce_role_item,
    TALK_INVITE: invite_talk,
    TALK_REMIND: remind_talk,
    OFFER: offer_light_variant,
    SESSION_REMIND: remind_participant,
    SESSION_ATTENDANCE: ask_for_attendance,
    SESSION_CLOSE: close_session,
}
