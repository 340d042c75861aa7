"""The steps of the hire's own line (INT-4, INT-5): e-learning, the TMA debrief, the closing
startontwikkelgesprek and role-specific items. Each is created once and moved with the start
date; completing one certifies an e-learning, and the closing talk completes the enrolment.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from poflow._exceptions import ClosingRefused, NotFound
from poflow.db.models import Hire, Step
from poflow.engine import Context, local_datetime, step_close
from poflow.introduction.config import section
from poflow.introduction.deadline import LATE, is_late
from poflow.introduction.kinds import (
    PROCESS,
    ROLE_ITEM,
    ROLE_ITEM_PREFIX,
    TALK_KEY,
    elearning_key,
    item_of_step,
)
from poflow.introduction.models import IntroSession, SessionParticipant, enrolment_of
from poflow.introduction.portfolio import issue_certificate
from poflow.introduction.rules import closing_refusal, programme_end
from poflow.introduction.states import ENROLMENT_STATES, OPEN, EnrolmentState
from poflow.kernel.vocabulary import CaseType, Role
from poflow.states import StepState

__all__ = ["add_role_item", "complete_item", "complete_step", "line_step"]


def line_step(
    ctx: Context,
    hire: Hire,
    *,
    key: str,
    title: str,
    due: date,
    owner_role: str,
    owner_id: str | None,
    talk: bool = False,
    minutes: int | None = None,
) -> Step:
    """The own-line step `key` of the hire, created, or moved to `due` while it is open; a talk
    lasts `minutes`, else the configured talk length."""
    cfg = section(ctx.config)
    starts = local_datetime(due, cfg.talk_time) if talk else None
    ends = starts + timedelta(minutes=minutes or cfg.talk_duration_minutes) if starts else None
    step = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=key)
    if step is None:
        step = Step(
            municipality=hire.municipality,
            case_type=CaseType.HIRE,
            case_id=hire.id,
            process=PROCESS,
            key=key,
            title=title,
            due_date=due,
            starts_at=starts,
            ends_at=ends,
            owner_role=owner_role,
            owner_id=owner_id,
            sequence=0,
            data={},
        )
        ctx.session.add(step)
        ctx.session.flush()
        ctx.audit("step.planned", "step", str(step.id), hire=hire.id, key=key, due=due.isoformat())
    elif step.state == StepState.OPEN and step.due_date != due:
        step.due_date, step.starts_at, step.ends_at = due, starts, ends
        step.sequence += 1
        ctx.audit(
            "step.moved",
            "step",
            str(step.id),
            hire=hire.id,
            due=due.isoformat(),
            sequence=step.sequence,
        )
    return step


def add_role_item(ctx: Context, hire_id: str, *, title: str, due: date, by: str) -> Step:
    """INT-5: a role-specific item agreed in the arbeidsvoorwaardengesprek joins the own line."""
    hire = ctx.session.get(Hire, hire_id)
    if hire is None or enrolment_of(ctx.session, hire_id) is None:
        raise NotFound(f"Hire {hire_id} is not enrolled in the introduction programme")
    count = (
        ctx.session.scalar(
            select(func.count(Step.id)).where(
                Step.case_type == CaseType.HIRE,
                Step.case_id == hire_id,
                Step.key.like(f"{ROLE_ITEM_PREFIX}%"),
            )
        )
        or 0
    )
    step = line_step(
        ctx,
        hire,
        key=f"{ROLE_ITEM_PREFIX}{count + 1}",
        title=title,
        due=due,
        owner_role=Role.MEDEWERKER,
        owner_id=hire.id,
    )
    ctx.audit("int.role_item", "step", str(step.id), hire=hire_id, by=by)
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=ROLE_ITEM,
        step=step,
        key=f"{ROLE_ITEM}:{step.id}",
        due=ctx.day,
    )
    return step


def _still_open(ctx: Context, hire_id: str, day: date) -> list[str]:
    """The hire's programme items still open on `day`: own-line steps (e-learning, TMA debrief,
    role items) and group sessions held by then whose attendance is not recorded yet (a later
    session they are invited to does not hold the closing talk up)."""
    steps = ctx.session.scalars(
        select(Step.title)
        .where(
            Step.case_type == CaseType.HIRE,
            Step.case_id == hire_id,
            Step.process == PROCESS,
            Step.state == StepState.OPEN,
            Step.key != TALK_KEY,
        )
        .order_by(Step.due_date, Step.id)
    )
    sessions = ctx.session.scalars(
        select(IntroSession.title)
        .join(SessionParticipant.session)
        .where(
            SessionParticipant.hire_id == hire_id,
            SessionParticipant.status.in_(OPEN),
            IntroSession.session_date <= day,
        )
        .order_by(IntroSession.session_date)
    )
    return [*sessions, *steps]


def complete_step(
    ctx: Context, step: Step, *, by: str, source: str, on: date | None = None
) -> bool:
    """Close an item of the own line; e-learning gives a certificate, the closing talk ends INT.

    The closing startontwikkelgesprek is refused (ClosingRefused) before the end of the
    six months and while other items are still open (INT-2/INT-5). An e-learning completed after
    its deadline is recorded as late (INT-4)."""
    if step.state != StepState.OPEN or step.process != PROCESS:
        return False
    hire = ctx.session.get_one(Hire, step.case_id)
    if step.key == TALK_KEY:
        months = section(ctx.config).programme_months
        end = programme_end(ctx.calendar, hire.first_working_day, months)
        day = on or ctx.day
        refusal = closing_refusal(day, end, _still_open(ctx, hire.id, day))
        if refusal:
            raise ClosingRefused(refusal)
    late = is_late(step, on or ctx.day)
    if late:  # INT-4: after the deadline it still counts, recorded as late
        step.data = {**(step.data or {}), LATE: True}
    step_close(step, StepState.DONE, by=by)
    ctx.audit(
        "step.done",
        "step",
        str(step.id),
        hire=step.case_id,
        key=step.key,
        source=source,
        **({"late": True} if late else {}),
    )
    item = item_of_step(step.key)
    if item is not None:
        issue_certificate(
            ctx, hire, item=item, title=step.title, completed_on=on or ctx.day, source=source
        )
    if step.key == TALK_KEY:
        enrolment = enrolment_of(ctx.session, hire.id)
        if enrolment is not None and enrolment.state == EnrolmentState.ACTIVE:
            ENROLMENT_STATES.check(
                f"the enrolment of hire {hire.id}", enrolment.state, EnrolmentState.COMPLETED
            )
            enrolment.state = EnrolmentState.COMPLETED
            enrolment.completed_at = step.done_at
            ctx.audit("intro.completed", "hire", hire.id, step=step.id, by=by)
    return True


def complete_item(
    ctx: Context, hire_id: str, item: str, *, by: str, source: str
) -> tuple[Step, bool]:
    """Record the item `item` of the hire's own line done (an e-learning key, tma,
    startontwikkelgesprek or rol:N): the step and whether it changed (False when already
    done). NotFound when the hire has no such item."""
    keys = [f"{PROCESS}:{item}", elearning_key(item)]
    step = next(
        (s for k in keys if (s := ctx.step(case_type=CaseType.HIRE, case_id=hire_id, key=k))),
        None,
    )
    if step is None:
        raise NotFound(f"Hire {hire_id} has no programme item {item!r}")
    return step, complete_step(ctx, step, by=by, source=source)
