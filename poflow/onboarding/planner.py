"""The onboarding of one hire, planned (ONB-1..3, ONB-5, BUD-1): from signed contract to six months.

For every hire the planner assigns a buddy from the team, instantiates the municipality's
checklist as steps with dated notices (filed into one digest a day, `poflow.onboarding.digest`),
plans the welcome at the private address before day one and at the work address on day one, and
the buddy trajectory (`poflow.onboarding.buddy`). After a start-date move it runs again: open
items, notices and appointments move with it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from poflow.db.models import Hire, Step
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.onboarding.buddy import assign_buddy, plan_buddy
from poflow.onboarding.config import ChecklistItem, OnboardingSection, onboarding_section
from poflow.onboarding.notices import notice_kind
from poflow.onboarding.rules import (
    applies,
    event_dates,
    home_welcome_date,
    item_due,
    owner_person_id,
    work_welcome_date,
)
from poflow.onboarding.steps import ITEM_PREFIX, audit_planned, mark_item_done, upsert_step
from poflow.states import StepState

__all__ = ["WELCOME", "WELCOME_WORK", "plan_onboarding"]

WELCOME, WELCOME_WORK = "onb.welcome", "onb.welcome_work"


def plan_onboarding(ctx: Context, hire: Hire) -> None:
    """Assign the buddy, instantiate the checklist, plan the welcome and the buddy trajectory."""
    cfg = onboarding_section(ctx)
    assign_buddy(ctx, hire)
    fresh: list[Step] = []  # new steps: one flush for all of them, then their audit rows
    for item in cfg.items:
        if applies(item, hire.contract_type, hire.contract_months):
            _plan_item(ctx, hire, item, cfg, fresh)
    _plan_welcome(ctx, hire, cfg)
    plan_buddy(ctx, hire, fresh)
    audit_planned(ctx, fresh)


def _plan_item(
    ctx: Context, hire: Hire, item: ChecklistItem, cfg: OnboardingSection, fresh: list[Step]
) -> None:
    """One checklist item as a step with its notices, or done at once when poflow did it."""
    due = item_due(ctx.calendar, hire.first_working_day, item.due)
    step = upsert_step(
        ctx,
        hire,
        key=f"{ITEM_PREFIX}{item.key}",
        process="onb",
        title=item.title,
        due=due,
        owner_role=item.owner,
        owner_id=owner_person_id(
            item.owner, hire_id=hire.id, manager_id=hire.manager_id, buddy_id=hire.buddy_id
        ),
        data={"phase": item.phase.value, "pillar": item.pillar.value, "item": item.key},
        fresh=fresh,
    )
    if step.state != StepState.OPEN:
        return
    if item.system is not None and _done_by_system(ctx, hire, item.system):
        audit_planned(ctx, fresh)  # "planned" before "done" in the log, with the step's id
        mark_item_done(ctx, step, by="system")
        return
    for level, when in event_dates(
        ctx.calendar, cfg, due=due, owner=item.owner, planned_on=ctx.day
    ).items():
        kind = notice_kind(level)
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=kind,
            step=step,
            due=when,
            key=f"{kind}:{hire.id}:{item.key}:{due.isoformat()}",
        )


def _plan_welcome(ctx: Context, hire: Hire, cfg: OnboardingSection) -> None:
    """The welcome at the private address before day one, and at work on day one (ONB-2)."""
    fwd = hire.first_working_day
    home = home_welcome_date(
        ctx.calendar, fwd, planned_on=ctx.day, working_days_before=cfg.welcome_working_days_before
    )
    work = work_welcome_date(ctx.calendar, fwd, planned_on=ctx.day)
    for kind, due in ((WELCOME, home), (WELCOME_WORK, work)):
        if due is not None:
            ctx.schedule(
                case_type=CaseType.HIRE,
                case_id=hire.id,
                kind=kind,
                due=due,
                key=f"{kind}:{hire.id}:{fwd.isoformat()}",
            )


def _done_by_system(ctx: Context, hire: Hire, what: str) -> bool:
    """Whether poflow did the item itself: the buddy is assigned, or the check-ins are planned."""
    if what == "buddy":
        return hire.buddy_id is not None
    planned = ctx.session.scalar(
        select(func.count(Step.id)).where(
            Step.case_type == CaseType.HIRE, Step.case_id == hire.id, Step.process == "chk"
        )
    )
    return bool(planned)
