"""The mails of the hire's own line (INT-1, INT-4, INT-5): welcome, reminders, talks, the offer.

Each handler runs once when its dated action is due, and skips when the item is done, the
enrolment is closed or the hire is cancelled.
"""

from __future__ import annotations

from datetime import timedelta

from poflow.db.models import Action, Hire, Step
from poflow.engine import TZ, Context, Handler, live_hire
from poflow.introduction.common import action_url, end_of_programme, enrolment_of, section
from poflow.introduction.models import EnrolmentState
from poflow.introduction.programme import (
    ELEARN_REMIND,
    OFFER,
    ROLE_ITEM,
    TALK_INVITE,
    TALK_REMIND,
    WELCOME,
)
from poflow.states import HireState

__all__ = [
    "announce_role_item",
    "invite_talk",
    "offer_light_variant",
    "remind_elearning",
    "remind_talk",
    "send_welcome",
]


def _open(ctx: Context, action: Action) -> tuple[Hire, Step] | None:
    hire = live_hire(ctx, action)
    if hire is None:
        return None
    e = enrolment_of(ctx, hire.id)
    if e is None or e.state != EnrolmentState.ACTIVE:
        return None
    return hire, action.step  # type: ignore[return-value]


def _done_link(ctx: Context, hire: Hire, step: Step, subject: str, action: str) -> str:
    return action_url(
        ctx,
        action=action,
        subject_id=subject,
        case_type="hire",
        case_id=hire.id,
        step_id=step.id,
        valid_until=step.due_date + timedelta(days=30),
    )


def send_welcome(ctx: Context, action: Action) -> bool:
    """On the first working day: the programme, its six months, and the e-learning links."""
    found = _open(ctx, action)
    if found is None:
        return False
    hire = found[0]
    cfg = section(ctx.config)
    e = enrolment_of(ctx, hire.id)
    assert e is not None
    rows = []
    for item in cfg.variant_items(e.variant):
        step = ctx.step(case_type="hire", case_id=hire.id, key=f"int:elearning:{item.key}")
        link = _done_link(ctx, hire, step, hire.id, "int.item_afgerond") if step else None
        rows.append(
            {"titel": item.title, "lijn": item.line, "omschrijving": item.description, "link": link}
        )
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="introduction/welkom",
        to=ctx.hire_recipient(hire),
        context={
            "onderdelen": rows,
            "einde": end_of_programme(ctx, hire),
            "verplicht": e.mandatory,
            "light": e.variant != cfg.primary_variant,
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def remind_elearning(ctx: Context, action: Action) -> bool:
    """INT-4: remind of an e-learning that is not done as its deadline nears."""
    found = _open(ctx, action)
    if found is None:
        return False
    hire, step = found
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="introduction/elearning_herinnering",
        to=ctx.hire_recipient(hire),
        context={
            "titel": step.title,
            "deadline": step.due_date,
            "link": _done_link(ctx, hire, step, hire.id, "int.item_afgerond"),
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def announce_role_item(ctx: Context, action: Action) -> bool:
    """INT-5: tell the employee of a role-specific item, with a link to report it done."""
    found = _open(ctx, action)
    if found is None:
        return False
    hire, step = found
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="introduction/rolitem",
        to=ctx.hire_recipient(hire),
        context={
            "titel": step.title,
            "deadline": step.due_date,
            "link": _done_link(ctx, hire, step, hire.id, "int.item_afgerond"),
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def _talk(ctx: Context, action: Action, template: str) -> bool:
    found = _open(ctx, action)
    if found is None:
        return False
    hire, step = found
    owner = ctx.person(step.owner_id) if step.owner_id else None
    people = [("medewerker", ctx.hire_recipient(hire), None)]
    if owner is not None:
        link = _done_link(ctx, hire, step, owner.id, "int.gesprek_gehouden")
        people.append((step.owner_role or "", ctx.recipient(owner), link))
    assert step.starts_at is not None
    assert step.ends_at is not None
    invitation = ctx.invitation_for(
        step,
        summary=f"{step.title}: {hire.full_name}",
        location=section(ctx.config).talk_location,
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
                "tma": step.key == "int:tma",
                "start": step.starts_at.astimezone(TZ),
                "einde": step.ends_at.astimezone(TZ),
                "link": link,
                "locatie": section(ctx.config).talk_location,
                "bijgewerkt": step.sequence > 0,
            },
            case_type="hire",
            case_id=hire.id,
            action=action,
            invitation=invitation if template == "introduction/gesprek_uitnodiging" else None,
        )
    return True


def invite_talk(ctx: Context, action: Action) -> bool:
    """INT-5: invite the employee and the coach or leidinggevende, with .ics and a record link."""
    return _talk(ctx, action, "introduction/gesprek_uitnodiging")


def remind_talk(ctx: Context, action: Action) -> bool:
    """INT-5: remind both shortly before the talk."""
    return _talk(ctx, action, "introduction/gesprek_herinnering")


def offer_light_variant(ctx: Context, action: Action) -> bool:
    """INT-1/INT-6: offer the leidinggevende of a secondary-group hire to enrol them (light)."""
    hire = ctx.session.get(Hire, action.case_id)
    if hire is None or hire.state == HireState.CANCELLED or enrolment_of(ctx, hire.id):
        return False
    manager = ctx.person(hire.manager_id)
    link = action_url(
        ctx,
        action="int.aanmelden",
        subject_id=manager.id,
        case_type="hire",
        case_id=hire.id,
        valid_until=end_of_programme(ctx, hire),
    )
    ctx.mail(
        key=f"{action.key}:leidinggevende",
        template="introduction/light_aanbod",
        to=ctx.recipient(manager),
        context={
            "medewerker": hire.full_name,
            "link": link,
            "onderdelen": [
                i.title
                for i in section(ctx.config).variant_items(section(ctx.config).secondary_variant)
            ],
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    WELCOME: send_welcome,
    ELEARN_REMIND: remind_elearning,
    ROLE_ITEM: announce_role_item,
    TALK_INVITE: invite_talk,
    TALK_REMIND: remind_talk,
    OFFER: offer_light_variant,
}
