"""A hire's onboarding steps: planned once, moved with the start date (ONB-5), done by their
owner or by poflow (ONB-3).

Every checklist item is a step `onb:<item>` of the hire, the buddy trajectory the step `buddy`.
The planners create them here and move them when the first working day moved; an owner's done
link, the CLI and poflow itself close an item here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow._exceptions import ActionRefused, NotFound
from poflow.db.models import Hire, Step
from poflow.engine import Context, invited_recipients, step_close
from poflow.kernel.vocabulary import CaseType
from poflow.states import StepState

__all__ = ["ITEM_PREFIX", "audit_planned", "complete_item", "mark_item_done", "upsert_step"]

ITEM_PREFIX = "onb:"  # the key of a checklist item's step: "onb:<item key>"


def upsert_step(
    ctx: Context, hire: Hire, *, key: str, due: date, fresh: list[Step] | None = None, **fields: Any
) -> Step:
    """Create the hire's step `key`, or move it (and raise its SEQUENCE) when its date changed.

    A new step is added to `fresh` for `audit_planned` (one flush for a whole checklist); without
    `fresh` it is flushed and audited at once.
    """
    step = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=key)
    if step is None:
        step = Step(
            municipality=hire.municipality,
            case_type=CaseType.HIRE,
            case_id=hire.id,
            key=key,
            due_date=due,
            sequence=0,
            state=StepState.OPEN,
            **fields,
        )
        ctx.session.add(step)
        if fresh is None:
            audit_planned(ctx, [step])
        else:
            fresh.append(step)
        return step
    if step.state == StepState.OPEN and step.due_date != due:
        step.due_date = due
        if fields.get("starts_at") is not None:
            step.starts_at, step.ends_at = fields["starts_at"], fields["ends_at"]
            if invited_recipients(ctx.session, step):  # calendars hold it: send an update
                step.sequence += 1
        ctx.audit(
            "step.moved",
            "step",
            str(step.id),
            hire=hire.id,
            key=key,
            due=due.isoformat(),
            sequence=step.sequence,
        )
    if step.state == StepState.OPEN and fields.get("owner_id") != step.owner_id:
        step.owner_id = fields.get("owner_id")
    return step


def audit_planned(ctx: Context, fresh: list[Step]) -> None:
    """Flush the new steps once for their ids and write their "step.planned" rows; empty it."""
    if not fresh:
        return
    ctx.session.flush()
    for step in fresh:
        ctx.audit(
            "step.planned",
            "step",
            str(step.id),
            hire=step.case_id,
            key=step.key,
            due=step.due_date.isoformat(),
        )
    fresh.clear()


def mark_item_done(ctx: Context, step: Step, *, by: str) -> bool:
    """Mark a checklist item done; False when it already was. Later notices are then skipped."""
    if step.state == StepState.DONE:
        return False
    if step.state == StepState.CANCELLED:
        raise ActionRefused(
            f"Punt ‘{step.title}’ van {step.case_id} kan niet worden afgerond: het is vervallen "
            "(de indiensttreding is verplaatst of geannuleerd)."
        )
    step_close(step, StepState.DONE, by=by)
    ctx.audit("step.done", "step", str(step.id), hire=step.case_id, key=step.key)
    return True


def complete_item(ctx: Context, hire_id: str, item_key: str, *, by: str) -> bool:
    """Mark checklist item `item_key` of the hire done (the CLI's fallback for the link)."""
    step = ctx.step(case_type=CaseType.HIRE, case_id=hire_id, key=f"{ITEM_PREFIX}{item_key}")
    if step is None:
        raise NotFound(f"Hire {hire_id} has no checklist item {item_key!r}")
    return mark_item_done(ctx, step, by=by)
