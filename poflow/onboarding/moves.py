"""Telling of a move (ONB-5): the day P&O moves a start date, everyone already told about the
hire hears the old and the new first working day.

"Already told" is read from what went out: every address the hire's own mails reached (both of
the hire's addresses when both were used, the leidinggevende, the buddy, P&O, a coach) and every
owner whose daily digest carried an item of the hire that is still open. The move itself
(`poflow.hires.services.move_hire`) leaves a step with the dates and this action, due that day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from poflow.db.models import Action, Hire, Outbox, Person, Step
from poflow.engine import Context, Handler, live_hire_step, step_close
from poflow.hires.services import CANCELLED, MOVED
from poflow.kernel.vocabulary import CaseType
from poflow.mail.outbox import Recipient
from poflow.onboarding.models import OnboardingNotice
from poflow.onboarding.notices import PO
from poflow.states import HireState, MailState, StepState

__all__ = [
    "CANCELLED_MAIL",
    "HANDLERS",
    "MOVED_MAIL",
    "already_told",
    "tell_of_cancellation",
    "tell_of_move",
]

MOVED_MAIL = "onboarding/verplaatst"
CANCELLED_MAIL = "onboarding/geannuleerd"


def already_told(ctx: Context, hire: Hire, *, open_items: bool = True) -> list[Recipient]:
    """Everyone a mail about the hire reached, once per address: the case's sent mails, and the
    owners whose digest carried one of the hire's items (open ones, unless `open_items` is
    False: a cancellation closed them); two queries, on a move or cancellation only."""
    found: dict[str, Recipient] = {}
    for rid, name, email in ctx.session.execute(
        select(Outbox.recipient_id, Outbox.recipient_name, Outbox.recipient_email)
        .where(
            Outbox.case_type == CaseType.HIRE,
            Outbox.case_id == hire.id,
            Outbox.state == MailState.SENT,
        )
        .distinct()
    ):
        found.setdefault(email.lower(), Recipient(rid, name, email))
    carried = (
        select(OnboardingNotice.recipient_key)
        .join(Step, Step.id == OnboardingNotice.step_id)
        .where(OnboardingNotice.hire_id == hire.id, OnboardingNotice.digest_key.is_not(None))
        .distinct()
    )
    if open_items:
        carried = carried.where(Step.state == StepState.OPEN)
    keys = set(ctx.session.scalars(carried))
    people = [key.removeprefix("p:") for key in keys if key.startswith("p:")]
    if people:
        for person in ctx.session.scalars(select(Person).where(Person.id.in_(people))):
            found.setdefault(person.email.lower(), ctx.recipient(person))
    if PO in keys:
        po = ctx.po_recipient()
        found.setdefault(po.email.lower(), po)
    if f"h:{hire.id}" in keys:
        me = ctx.hire_recipient(hire)
        found.setdefault(me.email.lower(), me)
    return sorted(found.values(), key=lambda r: r.email)


def _role(hire: Hire, to: Recipient, po_mailbox: str) -> str:
    if to.id == hire.id:
        return "medewerker"
    if to.id is not None and to.id == hire.buddy_id:
        return "buddy"
    if to.id is not None and to.id == hire.manager_id:
        return "leidinggevende"
    return "po" if to.email == po_mailbox else "collega"


def tell_of_move(ctx: Context, action: Action) -> bool:
    """Tell everyone already told about the hire that the first working day moved, naming the
    old and the new date; the same day as the move (ONB-5)."""
    live = live_hire_step(ctx, action)
    if live is None:
        return False
    hire, step = live
    told = date.fromisoformat(step.data["told_first_working_day"])
    step_close(step, StepState.DONE, by=ctx.actor)
    if told == hire.first_working_day:
        return False  # moved and moved back before anyone heard: nothing changed for them
    m = ctx.config.municipality
    reached = already_told(ctx, hire)
    for to in reached:
        ctx.mail(
            key=f"{action.key}:{to.id or to.email}",
            template=MOVED_MAIL,
            to=to,
            context={
                "medewerker": hire.full_name,
                "voornaam": hire.given_name,
                "oud": told,
                "nieuw": hire.first_working_day,
                "tijd": m.first_day_time,
                "plaats": m.first_day_place,
                "rol": _role(hire, to, str(m.po_mailbox)),
                "hire_id": hire.id,
            },
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
        )
    ctx.audit("hire.move_told", "hire", hire.id, recipients=len(reached), step=step.id)
    return bool(reached)


def tell_of_cancellation(ctx: Context, action: Action) -> bool:
    """Tell everyone already told about the hire that she will not start, the day P&O cancels
    (ONB-5); the one mail a cancelled hire's case still sends, besides calendar cancellations."""
    hire = ctx.session.get(Hire, action.case_id)
    if hire is None or hire.state != HireState.CANCELLED:
        return False
    m = ctx.config.municipality
    reached = already_told(ctx, hire, open_items=False)
    for to in reached:
        ctx.mail(
            key=f"{action.key}:{to.id or to.email}",
            template=CANCELLED_MAIL,
            to=to,
            context={
                "medewerker": hire.full_name,
                "eerste_werkdag": hire.first_working_day,
                "rol": _role(hire, to, str(m.po_mailbox)),
                "hire_id": hire.id,
            },
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
        )
    ctx.audit("hire.cancel_told", "hire", hire.id, recipients=len(reached))
    return bool(reached)


HANDLERS: dict[str, Handler] = {MOVED: tell_of_move, CANCELLED: tell_of_cancellation}
