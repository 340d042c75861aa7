"""P&O's changes to a running onboarding, for the workspace (issue 21) and the CLI: a checklist
item marked done on its owner's behalf, and a new buddy or leidinggevende.

On behalf: the step closes as done by the P&O adviser, audited `step.done` with `on_behalf_of`
(the owner) and the reason (X-4), the way a check-in is recorded on behalf (CHK-3).

Handover: the new colleague takes the old one's place. The old one's open items move to the
new one; an appointment the old one was invited to is cancelled in their calendar (METHOD:CANCEL,
the mirror of their invitation) and sent again, with a raised SEQUENCE, to the attendees of
now (the next dispatcher pass re-plans the hire: `hire.version` is raised). The old one hears
it by mail with the name of the new one; a new buddy is informed as any buddy is (BUD-1), a new
leidinggevende by mail. Audited as `hire.handover` by the P&O adviser.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from poflow._exceptions import ActionRefused, HandoverRefused, NotFound
from poflow.db.models import Hire, Person, Step
from poflow.engine import TZ, Context, invited_recipients, last_invitation
from poflow.kernel.vocabulary import CaseType, Role
from poflow.onboarding.buddy import set_buddy
from poflow.onboarding.handover_rules import handover_problem, reason_problem
from poflow.onboarding.steps import ITEM_PREFIX, mark_item_done
from poflow.states import HireState, StepState

__all__ = ["HANDOVER_MAIL", "Handover", "complete_on_behalf", "hand_over", "item_of"]

HANDOVER_MAIL = "onboarding/overgedragen"


def item_of(ctx: Context, hire_id: str, step_id: int) -> Step:
    """The hire's checklist item with this step id (NotFound otherwise)."""
    step = ctx.session.get(Step, step_id)
    if (
        step is None
        or step.case_type != CaseType.HIRE
        or step.case_id != hire_id
        or not step.key.startswith(ITEM_PREFIX)
    ):
        raise NotFound(f"Hire {hire_id} has no checklist item {step_id}")
    return step


def complete_on_behalf(ctx: Context, hire_id: str, step_id: int, *, by: str, reason: str) -> Step:
    """Mark the item done by `by` on behalf of its owner, with a reason (ActionRefused, Dutch,
    when there is none or the item is not open); audited with both (X-4)."""
    step = item_of(ctx, hire_id, step_id)
    problem = reason_problem(reason)
    if problem is not None:
        raise ActionRefused(problem)
    if step.state != StepState.OPEN:
        raise ActionRefused(f"Punt ‘{step.title}’ is niet meer open; er is niets gewijzigd.")
    mark_item_done(ctx, step, by=by)
    ctx.audit(
        "step.done_on_behalf",
        "step",
        str(step.id),
        hire=hire_id,
        key=step.key,
        on_behalf_of=step.owner_id or step.owner_role,
        reason=reason.strip(),
    )
    return step


@dataclass(frozen=True)
class Handover:
    """What a handover did: who, and how many items and appointments moved."""

    role: str
    old: Person | None
    new: Person
    items: list[str]
    appointments: list[str]


def _check(ctx: Context, hire: Hire, role: str, person_id: str) -> Person:
    person = ctx.session.get(Person, person_id) if person_id else None
    found = person is not None and person.municipality == hire.municipality
    current = hire.buddy_id if role == "buddy" else hire.manager_id
    other = hire.manager_id if role == "buddy" else hire.buddy_id
    problem = handover_problem(
        role,
        found=found,
        current=person_id == current,
        is_hire=person_id == hire.id,
        other_role=person_id == other,
        same_team=person is not None and person.team == hire.team,
        is_leidinggevende=person is not None and Role.LEIDINGGEVENDE in person.role_names,
    )
    if problem is not None or person is None:
        raise HandoverRefused(problem or "Kies een collega.")
    return person


def hand_over(ctx: Context, hire_id: str, role: str, person_id: str, *, by: str) -> Handover:
    """Make `person_id` the hire's `role` ("buddy" or "leidinggevende") in place of the old one
    (HandoverRefused, nothing changed, when they cannot be); see the module's docstring."""
    hire = ctx.session.get(Hire, hire_id)
    if hire is None or hire.state != HireState.PLANNED:
        raise NotFound(f"Hire {hire_id} is not running")
    new = _check(ctx, hire, role, person_id)
    old_id = hire.buddy_id if role == "buddy" else hire.manager_id
    old = ctx.session.get(Person, old_id) if old_id else None
    open_steps = ctx.session.scalars(
        select(Step)
        .where(
            Step.case_type == CaseType.HIRE,
            Step.case_id == hire.id,
            Step.state == StepState.OPEN,
        )
        .order_by(Step.due_date, Step.id)
    ).all()
    items, appointments = [], []
    for step in open_steps:
        if old is not None and step.owner_id == old.id:
            step.owner_id = new.id
            items.append(step.title)
        if (
            old is not None
            and step.starts_at is not None
            and any(r.id == old.id for r in invited_recipients(ctx.session, step))
        ):
            _cancel_for(ctx, hire, step, old, new)
            step.sequence += 1  # the next pass invites the attendees of now again
            appointments.append(step.title)
    if role == "buddy":
        set_buddy(ctx, hire, new.id, by=by)
    else:
        hire.manager_id = new.id
    hire.version += 1  # re-planned by the next dispatcher pass: invitations to the new one
    _tell(ctx, hire, role, old, new, items, appointments)
    ctx.audit(
        "hire.handover",
        "hire",
        hire.id,
        role=role,
        old=old.id if old else None,
        new=new.id,
        items=len(items),
        appointments=len(appointments),
    )
    return Handover(role, old, new, items, appointments)


def _cancel_for(ctx: Context, hire: Hire, step: Step, old: Person, new: Person) -> None:
    """The appointment cancelled in the old person's calendar only: the mirror of the last
    invitation they got (same UID, next SEQUENCE, METHOD:CANCEL), with a mail saying whom it
    went to (`reden` "overgedragen" of the template afspraak_geannuleerd)."""
    sent = last_invitation(ctx.session, step)
    if sent is None:
        return
    cancellation = replace(
        sent,
        sequence=step.sequence + 1,
        description=f"Deze afspraak is overgedragen. {sent.description}".strip(),
        cancelled=True,
    )
    ctx.mail(
        key=f"handover:{step.id}:s{step.sequence + 1}:{old.id}",
        template="afspraak_geannuleerd",
        to=ctx.recipient(old),
        context={
            "titel": sent.summary,
            "start": sent.starts_at.astimezone(TZ),
            "locatie": sent.location,
            "over": hire.full_name,
            "reden": "overgedragen",
            "opvolger": new.full_name,
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        invitation=cancellation,
    )


def _tell(
    ctx: Context,
    hire: Hire,
    role: str,
    old: Person | None,
    new: Person,
    items: list[str],
    appointments: list[str],
) -> None:
    """The old one hears whom it went to; a new leidinggevende hears it too (a new buddy is
    informed by the buddy trajectory, BUD-1)."""
    told = [(old, False)] if old is not None else []
    if role == "leidinggevende":
        told.append((new, True))
    for person, is_new in told:
        ctx.mail(
            key=f"handover:{hire.id}:v{hire.version}:{role}:{person.id}",
            template=HANDOVER_MAIL,
            to=ctx.recipient(person),
            context={
                "medewerker": hire.full_name,
                "rol": role,
                "nieuw": is_new,
                "opvolger": new.full_name,
                "voorganger": old.full_name if old else "",
                "eerste_werkdag": hire.first_working_day,
                "punten": items,
                "afspraken": appointments,
                "hire_id": hire.id,
            },
            case_type=CaseType.HIRE,
            case_id=hire.id,
        )
