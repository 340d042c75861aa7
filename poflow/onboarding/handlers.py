"""The mails of onboarding with buddy (ONB-2, BUD-1, BUD-2), one handler per action kind.

The new colleague is welcomed at the private address before day one and at the work address on
day one; the buddy hears whom, when and what is expected; buddy, new colleague and
leidinggevende are invited to celebrate the successes; the buddy is thanked when the trajectory
closes. The checklist's notices and digests have their handlers in `poflow.onboarding.digest`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from poflow.db.models import Action, Hire, Outbox, Step
from poflow.engine import (
    TZ,
    Context,
    Handler,
    invited_addresses,
    live_hire,
    live_hire_step,
    step_close,
)
from poflow.kernel.vocabulary import CaseType, Role
from poflow.mail.outbox import Recipient
from poflow.onboarding.buddy import BUDDY_CELEBRATE, BUDDY_CLOSE, BUDDY_INFORM
from poflow.onboarding.config import onboarding_section
from poflow.onboarding.first_day import first_day_link
from poflow.onboarding.moves import MOVED_MAIL
from poflow.onboarding.planner import WELCOME, WELCOME_WORK
from poflow.onboarding.rules import BUDDY, welcomes_at_home
from poflow.states import MailState, StepState

__all__ = [
    "HANDLERS",
    "close_buddy_trajectory",
    "inform_buddy",
    "invite_to_celebrate",
    "welcome_at_home",
    "welcome_at_work",
]

WELCOME_HOME_MAIL = "onboarding/welkom_prive"
WELCOME_WORK_MAIL = "onboarding/welkom_werk"
BUDDY_MAIL = "onboarding/buddy_toegewezen"
CELEBRATE_MAIL = "onboarding/vier_successen"
CLOSED_MAIL = "onboarding/buddy_afgesloten"


def _buddy_case(ctx: Context, action: Action) -> tuple[Hire, Step, str] | None:
    """The action's live hire, its open buddy step and the buddy's id; None (skip) when the
    hire or the trajectory ended, or the hire has no buddy."""
    live = live_hire_step(ctx, action)
    if live is None or live[0].buddy_id is None:
        return None
    return live[0], live[1], live[0].buddy_id


def _people(ctx: Context, hire: Hire) -> dict[str, Any]:
    """What every onboarding mail may say about the hire and the first day."""
    m = ctx.config.municipality
    buddy = ctx.person(hire.buddy_id) if hire.buddy_id else None
    return {
        "medewerker": hire.full_name,
        "voornaam": hire.given_name,
        "functie": hire.function,
        "team": hire.team,
        "hire_id": hire.id,
        "eerste_werkdag": hire.first_working_day,
        "tijd": m.first_day_time,
        "plaats": m.first_day_place,
        "leidinggevende": ctx.person(hire.manager_id).full_name,
        "buddy": buddy.full_name if buddy else None,
    }


def _news(ctx: Context, hire: Hire, template: str, to: Recipient) -> bool | None:
    """What this mail would be to `to`: False when it is new to that address, True when it
    went there before (it then says "Gewijzigd"), None (send nothing) when a move notice
    reached that address after it: one notice per move per person (ONB-5)."""
    last: dict[str, int] = dict(
        ctx.session.execute(
            select(Outbox.template, func.max(Outbox.id))
            .where(
                Outbox.case_type == CaseType.HIRE,
                Outbox.case_id == hire.id,
                Outbox.template.in_((template, MOVED_MAIL)),
                func.lower(Outbox.recipient_email) == to.email.lower(),
                # queued counts: the move notice of this very day may not have gone out yet
                Outbox.state.in_((MailState.SENT, MailState.QUEUED)),
            )
            .group_by(Outbox.template)
        ).all()
    )
    if template not in last:
        return False
    return None if last.get(MOVED_MAIL, 0) > last[template] else True


def _to_queue(ctx: Context, key: str) -> bool:
    """Whether ctx.mail will queue `key` (never queued, or withdrawn by a move)."""
    state = ctx.session.scalar(select(Outbox.state).where(Outbox.key == key))
    return state is None or state == MailState.CANCELLED


def welcome_at_home(ctx: Context, action: Action) -> bool:
    """Welcome the new colleague at the private address before day one: day, time, place, buddy,
    and the link to their page before day one (poflow.onboarding.first_day)."""
    hire = live_hire(ctx, action)
    if hire is None or not welcomes_at_home(ctx.day, hire.first_working_day):
        return False
    to = ctx.hire_recipient(hire)
    changed = _news(ctx, hire, WELCOME_HOME_MAIL, to)
    if changed is None:
        return False  # the move notice told her the new day already
    key = f"{action.key}:medewerker"
    ctx.mail(
        key=key,
        template=WELCOME_HOME_MAIL,
        to=to,
        context={
            **_people(ctx, hire),
            "gewijzigd": changed,
            # Only for a mail that will go out: minting revokes the page link of the one before.
            "eerste_dag_link": first_day_link(ctx, hire) if _to_queue(ctx, key) else None,
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


def welcome_at_work(ctx: Context, action: Action) -> bool:
    """Welcome the new colleague at the work address on day one."""
    hire = live_hire(ctx, action)
    if hire is None:
        return False
    ctx.mail(
        key=f"{action.key}:medewerker",
        template=WELCOME_WORK_MAIL,
        to=ctx.hire_recipient(hire),
        context=_people(ctx, hire),
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


def inform_buddy(ctx: Context, action: Action) -> bool:
    """BUD-1: tell the buddy whom, when, and what is expected, until the trajectory closes."""
    case = _buddy_case(ctx, action)
    if case is None:
        return False
    hire, step, buddy_id = case
    to = ctx.recipient(ctx.person(buddy_id))
    changed = _news(ctx, hire, BUDDY_MAIL, to)
    if changed is None:
        return False  # the move notice told the buddy the new day already
    ctx.mail(
        key=f"{action.key}:buddy",
        template=BUDDY_MAIL,
        to=to,
        context={**_people(ctx, hire), "einddatum": step.due_date, "gewijzigd": changed},
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    ctx.audit("buddy.informed", "hire", hire.id, buddy=buddy_id)
    return True


def invite_to_celebrate(ctx: Context, action: Action) -> bool:
    """BUD-2: invite buddy, new colleague and leidinggevende to celebrate the successes (.ics)."""
    case = _buddy_case(ctx, action)
    if case is None:
        return False
    hire, step, buddy_id = case
    starts, ends = step.starts_at, step.ends_at
    if starts is None or ends is None:  # the buddy step is planned with its moment, always
        return False
    cel = onboarding_section(ctx).celebration
    people = {
        BUDDY: ctx.recipient(ctx.person(buddy_id)),
        Role.MEDEWERKER: ctx.hire_recipient(hire),
        Role.LEIDINGGEVENDE: ctx.recipient(ctx.person(hire.manager_id)),
    }
    invitation = ctx.invitation_for(
        step,
        summary=f"Vier successen: afsluiting buddytraject {hire.full_name}",
        description="Zes maanden buddytraject: we sluiten af en vieren de successen.",
        location=cel.location,
        attendees=people.values(),
    )
    invited = invited_addresses(ctx.session, step)  # "Gewijzigd" only to who had it
    for who, to in people.items():
        ctx.mail(
            key=f"{action.key}:{who}",
            template=CELEBRATE_MAIL,
            to=to,
            context={
                **_people(ctx, hire),
                "rol": str(who),
                "start": starts.astimezone(TZ),
                "einde": ends.astimezone(TZ),
                "locatie": cel.location,
                "bijgewerkt": step.sequence > 0 and to.email.lower() in invited,
            },
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
            invitation=invitation,
        )
    return True


def close_buddy_trajectory(ctx: Context, action: Action) -> bool:
    """BUD-2: close the buddy trajectory at six months and thank the buddy."""
    case = _buddy_case(ctx, action)
    if case is None:
        return False
    hire, step, buddy_id = case
    step_close(step, StepState.DONE, by="system")
    ctx.audit("buddy.closed", "hire", hire.id, buddy=buddy_id, step=step.id)
    ctx.mail(
        key=f"{action.key}:buddy",
        template=CLOSED_MAIL,
        to=ctx.recipient(ctx.person(buddy_id)),
        context=_people(ctx, hire),
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


# The action kinds of the welcome and the buddy, for the process declaration.
HANDLERS: dict[str, Handler] = {
    WELCOME: welcome_at_home,
    WELCOME_WORK: welcome_at_work,
    BUDDY_INFORM: inform_buddy,
    BUDDY_CELEBRATE: invite_to_celebrate,
    BUDDY_CLOSE: close_buddy_trajectory,
}
