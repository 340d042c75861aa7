"""The e-learning deadline (INT-4): "moeten binnen de periode van 6 maanden zijn afgerond".

The working day after the programme's last day, an employee whose e-learning is not done is told
so, and so is their leidinggevende: one Dutch mail each, once. A completion after the deadline
still gives the certificate of participation, and is recorded as late.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from poflow.db.models import Action, Hire, Step
from poflow.engine import Context, live_hire
from poflow.introduction.kinds import ELEARN_OVERDUE, LINK_ITEM_DONE, PROCESS, item_of_step
from poflow.introduction.mailing import action_url
from poflow.introduction.models import enrolment_of
from poflow.introduction.states import EnrolmentState
from poflow.kernel.vocabulary import CaseType, Role
from poflow.states import StepState

__all__ = ["LATE", "is_late", "open_elearning", "schedule_deadline", "tell_overdue"]

LATE = "te_laat"  # the key in a step's data marking a completion after its deadline
TEMPLATE = "introduction/elearning_te_laat"


def is_late(step: Step, on: date) -> bool:
    """INT-4: an e-learning completed on `on` is late when that is after its deadline."""
    return item_of_step(step.key) is not None and on > step.due_date


def open_elearning(ctx: Context, hire_id: str) -> list[Step]:
    """The hire's e-learning steps not done yet, in the programme's order."""
    return [
        s
        for s in ctx.session.scalars(
            select(Step)
            .where(
                Step.case_type == CaseType.HIRE,
                Step.case_id == hire_id,
                Step.process == PROCESS,
                Step.state == StepState.OPEN,
            )
            .order_by(Step.id)
        )
        if item_of_step(s.key) is not None
    ]


def schedule_deadline(ctx: Context, hire: Hire, deadline: date) -> None:
    """Look at the hire's e-learning the working day after `deadline` (moved with the hire)."""
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=ELEARN_OVERDUE,
        key=f"{ELEARN_OVERDUE}:{hire.id}:{deadline}",
        due=ctx.calendar.add_working_days(deadline, 1),
    )


def tell_overdue(ctx: Context, action: Action) -> bool:
    """INT-4: the deadline passed with e-learning open: tell the employee (with a done link per
    module) and their leidinggevende, once each."""
    hire = live_hire(ctx, action)
    enrolment = enrolment_of(ctx.session, hire.id) if hire is not None else None
    if hire is None or enrolment is None or enrolment.state != EnrolmentState.ACTIVE:
        return False
    late = open_elearning(ctx, hire.id)
    if not late:
        return False
    deadline = late[0].due_date
    modules = [
        {
            "titel": s.title,
            "link": action_url(
                ctx,
                action=LINK_ITEM_DONE,
                subject_id=hire.id,
                case_type=CaseType.HIRE,
                case_id=hire.id,
                step_id=s.id,
                valid_until=ctx.day + timedelta(days=60),
            ),
        }
        for s in late
    ]
    manager = ctx.person(hire.manager_id)
    for role, to in (
        (Role.MEDEWERKER, ctx.hire_recipient(hire)),
        (Role.LEIDINGGEVENDE, ctx.recipient(manager)),
    ):
        ctx.mail(
            key=f"{action.key}:{role}",
            template=TEMPLATE,
            to=to,
            context={
                "rol": role,
                "medewerker": hire.full_name,
                "deadline": deadline,
                "modules": modules if role == Role.MEDEWERKER else [m["titel"] for m in modules],
            },
            case_type=CaseType.HIRE,
            case_id=hire.id,
            action=action,
        )
    ctx.audit("int.elearning_late", "hire", hire.id, open=len(late), deadline=deadline.isoformat())
    return True
