"""Planning a new hire's cycle (GES-1): the planner the engine runs for every new or moved hire.

New hires are planned either from the start date after probation, or, where the introduction
programme runs, from its closing startontwikkelgesprek (the introduction process records it as
step "int:startontwikkelgesprek" of the hire, DONE when held; `handlers.watch_introduction`
waits for it). Existing staff start on a chosen date (`cycle.start_cycle`). The talks of each
round and their dated actions are planned in `talks`.
"""

from __future__ import annotations

from sqlalchemy import select

from poflow.conversations import kinds
from poflow.conversations.case import PROCESS, find_cycle, section
from poflow.conversations.cycle import new_cycle
from poflow.conversations.models import Appraisal, CycleBasis
from poflow.conversations.rules import (
    introduction_end,
    probation_months_for,
    richtgesprek_after_probation,
)
from poflow.conversations.talks import plan_round, schedule_talk_actions
from poflow.db.models import Hire, Step
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.states import StepState

__all__ = ["plan_hire_cycle"]


def plan_hire_cycle(ctx: Context, hire: Hire) -> None:
    """Plan a new hire's cycle from probation, or watch for the end of the introduction (GES-1)."""
    cfg = section(ctx)
    cycle = find_cycle(ctx.session, CaseType.HIRE, hire.id)
    _revive_after_move(ctx, hire)
    if cycle is not None and cycle.basis != CycleBasis.PROEFTIJD:
        plan_round(ctx, cycle, cycle.current_round)  # dates stay; superseded actions come back
        return
    probation = probation_months_for(
        hire.contract_type, hire.contract_months, cfg.probation_months, cfg.min_contract_months
    )
    if probation is None:
        return
    if cycle is None and cfg.plan_from == "introductie":
        programme_end = introduction_end(
            ctx.calendar, hire.first_working_day, cfg.introduction_months
        )
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=kinds.INTRO,
            due=programme_end,
            key=f"{kinds.INTRO}:{hire.id}:{programme_end.isoformat()}",
        )
        return
    first = richtgesprek_after_probation(
        ctx.calendar,
        hire.first_working_day,
        probation,
        cfg.richtgesprek_working_days_after_probation,
    )
    if cycle is None:
        cycle = new_cycle(
            ctx,
            case_type=CaseType.HIRE,
            case_id=hire.id,
            manager_id=hire.manager_id,
            basis=CycleBasis.PROEFTIJD,
            first=first,
            joined_on=hire.start_date,
            raise_anchor=hire.start_date,
        )
    elif cycle.current_round == 1 and cycle.first_richtgesprek != first:
        cycle.first_richtgesprek = first
        cycle.joined_on = cycle.raise_anchor = hire.start_date
        ctx.audit("ges.cycle.moved", "ges_cycle", str(cycle.id), first=first.isoformat())
    plan_round(ctx, cycle, cycle.current_round)


def _revive_after_move(ctx: Context, hire: Hire) -> None:
    """A start move cancels every pending action of the hire (ONB-5): bring back the follow-ups
    of recorded appraisals and the actions of planned extra appraisals, which do not move."""
    for row in ctx.session.scalars(
        select(Appraisal).where(Appraisal.case_type == CaseType.HIRE, Appraisal.case_id == hire.id)
    ):
        step = ctx.session.get(Step, row.step_id)
        for kind in (kinds.SHARE, kinds.DECISION, kinds.ARCHIVE):
            ctx.schedule(
                case_type=CaseType.HIRE,
                case_id=hire.id,
                kind=kind,
                step=step,
                key=f"{kind}:{row.id}",
                due=max(ctx.day, row.talk_on),
            )
    for step in ctx.session.scalars(
        select(Step).where(
            Step.case_type == CaseType.HIRE,
            Step.case_id == hire.id,
            Step.process == PROCESS,
            Step.key.like("ges:x%"),
            Step.state == StepState.OPEN,
        )
    ):
        schedule_talk_actions(ctx, step)
