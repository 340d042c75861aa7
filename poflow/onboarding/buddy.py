"""The buddy of a new colleague (BUD-1, BUD-2): chosen from the team by poflow or by hand, and
the trajectory planned: the buddy informed before day one, the "vier successen" moment, the
close after six months.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from poflow._exceptions import BuddyRefused
from poflow.db.models import Hire, Person, Step
from poflow.engine import Context, invited_recipients, local_datetime
from poflow.kernel.vocabulary import CaseType
from poflow.onboarding.buddy_rules import (
    buddy_close_date,
    buddy_dates,
    buddy_load_since,
    buddy_preference,
    buddy_refusal,
)
from poflow.onboarding.config import onboarding_section
from poflow.onboarding.rules import BUDDY
from poflow.onboarding.steps import mark_item_done, upsert_step
from poflow.states import HireState, StepState

__all__ = [
    "BUDDY_CELEBRATE",
    "BUDDY_CLOSE",
    "BUDDY_INFORM",
    "BUDDY_STEP",
    "assign_buddy",
    "plan_buddy",
    "set_buddy",
]

BUDDY_INFORM, BUDDY_CELEBRATE, BUDDY_CLOSE = "bud.inform", "bud.celebrate", "bud.close"
BUDDY_STEP = "buddy"  # the key of the trajectory's step


def _pick_buddy(ctx: Context, hire: Hire) -> Person | None:
    """A colleague from the hire's team (not the manager), the first by buddy_preference."""
    team = ctx.session.scalars(
        select(Person)
        .where(
            Person.municipality == hire.municipality,
            Person.team == hire.team,
            Person.id != hire.manager_id,
        )
        .order_by(Person.id)
    ).all()
    if not team:
        return None
    load = dict(
        ctx.session.execute(
            select(Hire.buddy_id, func.count(Hire.id))
            .where(
                Hire.buddy_id.in_([p.id for p in team]),
                Hire.state == HireState.PLANNED,
                Hire.first_working_day >= buddy_load_since(ctx.day),
            )
            .group_by(Hire.buddy_id)
        ).all()
    )
    return min(team, key=lambda p: buddy_preference(p.role_names, load.get(p.id, 0), p.id))


def _chosen_buddy(ctx: Context, hire: Hire, person_id: str) -> Person:
    """The colleague P&O chose as buddy, after checking they may be it (BuddyRefused)."""
    person = ctx.session.get(Person, person_id)
    if person is None or person.municipality != hire.municipality:
        raise BuddyRefused(
            f"Cannot make {person_id} the buddy of hire {hire.id}: no such "
            f"colleague in {hire.municipality}."
        )
    refusal = buddy_refusal(
        team=person.team, is_manager=person.id == hire.manager_id, hire_team=hire.team
    )
    if refusal is not None:
        raise BuddyRefused(f"Cannot make {person_id} the buddy of hire {hire.id}: {refusal}")
    return person


def _make_buddy(ctx: Context, hire: Hire, person: Person, *, by: str) -> Person:
    hire.buddy_id = person.id
    ctx.audit("buddy.assigned", "hire", hire.id, buddy=person.id, by=by)
    return person


def assign_buddy(ctx: Context, hire: Hire) -> Person | None:
    """BUD-1: the hire's buddy, or else the least busy colleague of their team made buddy."""
    if hire.buddy_id is not None:
        return ctx.person(hire.buddy_id)
    person = _pick_buddy(ctx, hire)
    if person is None:
        ctx.audit("buddy.unassigned", "hire", hire.id, reason="no colleague in team")
        return None
    return _make_buddy(ctx, hire, person, by="system")


def plan_buddy(ctx: Context, hire: Hire, fresh: list[Step] | None = None) -> None:
    """BUD-1/BUD-2: inform the buddy, invite to the "vier successen" moment, close at six months."""
    if hire.buddy_id is None:
        return
    cfg = onboarding_section(ctx)
    cal, fwd, cel = ctx.calendar, hire.first_working_day, cfg.celebration
    close = buddy_close_date(
        cal, fwd, months=cfg.buddy_months, contract_months=hire.contract_months
    )
    starts = local_datetime(close, cel.time)
    step = upsert_step(
        ctx,
        hire,
        key=BUDDY_STEP,
        process="bud",
        title="Buddytraject: vier successen",
        due=close,
        owner_role=BUDDY,
        owner_id=hire.buddy_id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=cel.duration_minutes),
        data={"buddy": hire.buddy_id},
        fresh=fresh,
    )
    if step.state != StepState.OPEN:
        return
    when = buddy_dates(
        cal,
        fwd,
        close,
        planned_on=ctx.day,
        inform_working_days_before=cfg.buddy_inform_working_days_before,
        invite_working_days_before=cel.invite_working_days_before,
    )
    # Moved after the invitation went out: the update goes out at once (ONB-5).
    moved = step.sequence > 0 and bool(invited_recipients(ctx.session, step))
    for kind, key, due in (
        (BUDDY_INFORM, f"{hire.buddy_id}:{fwd.isoformat()}", when.inform),
        (BUDDY_CELEBRATE, f"s{step.sequence}", ctx.day if moved else when.invite),
        (BUDDY_CLOSE, close.isoformat(), when.close),
    ):
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=kind,
            step=step,
            due=due,
            key=f"{kind}:{hire.id}:{key}",
        )


def set_buddy(ctx: Context, hire: Hire, person_id: str, *, by: str) -> Person:
    """BUD-1 by hand: make `person_id` the buddy, tick "buddy toewijzen", inform them in time."""
    person = _make_buddy(ctx, hire, _chosen_buddy(ctx, hire, person_id), by=by)
    ticked = {i.key for i in onboarding_section(ctx).items if i.system == "buddy"}
    for step in ctx.session.scalars(
        select(Step).where(
            Step.case_type == CaseType.HIRE,
            Step.case_id == hire.id,
            Step.process == "onb",
            Step.state == StepState.OPEN,
        )
    ):
        if step.owner_role == BUDDY:
            step.owner_id = person.id
        if step.data.get("item") in ticked:
            mark_item_done(ctx, step, by=by)
    plan_buddy(ctx, hire)
    return person
