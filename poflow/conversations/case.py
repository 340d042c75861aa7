"""Who a conversation-cycle case is about: a new hire or existing staff, their manager, and what
every mail about one of its talks says of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import NotFound
from poflow.conversations.config import ConversationSection
from poflow.conversations.models import GesCycle, LegalDecision
from poflow.db.models import Hire, Person, Step
from poflow.engine import TZ, Context
from poflow.kernel.vocabulary import CaseType
from poflow.mail.outbox import Recipient
from poflow.states import HireState

__all__ = [
    "PROCESS",
    "Case",
    "case_cancelled",
    "employee_recipient",
    "find_case",
    "find_cycle",
    "section",
    "talk_context",
]

PROCESS = "ges"


@dataclass(frozen=True, slots=True)
class Case:
    """A case id resolved: "hire" or "person", its id, municipality and (known) manager."""

    case_type: str
    case_id: str
    municipality: str
    manager_id: str | None


def section(ctx: Context) -> ConversationSection:
    """This municipality's conversations.yaml."""
    return ctx.config.section("conversations", ConversationSection)


def find_case(session: Session, some_id: str) -> Case:
    """Resolve a hire id or a person id (hire first); NotFound when it is neither."""
    hire = session.get(Hire, some_id)
    if hire is not None:
        return Case(CaseType.HIRE, hire.id, hire.municipality, hire.manager_id)
    person = session.get(Person, some_id)
    if person is not None:
        cycle = find_cycle(session, CaseType.PERSON, person.id)
        return Case(
            CaseType.PERSON, person.id, person.municipality, cycle.manager_id if cycle else None
        )
    raise NotFound(f"Cannot find {some_id!r}: it is neither a hire id nor a person id")


def find_cycle(session: Session, case_type: str, case_id: str) -> GesCycle | None:
    """The conversation cycle of a case, if it has one."""
    return session.scalar(
        select(GesCycle).where(GesCycle.case_type == case_type, GesCycle.case_id == case_id)
    )


def employee_recipient(ctx: Context, case_type: str, case_id: str) -> Recipient:
    """The employee of a case as a mail recipient (a hire at the address valid on this day)."""
    if case_type == CaseType.HIRE:
        hire = ctx.session.get(Hire, case_id)
        if hire is None:
            raise NotFound(f"Hire {case_id} does not exist")
        return ctx.hire_recipient(hire)
    return ctx.recipient(ctx.person(case_id))


def case_cancelled(ctx: Context, case_type: str, case_id: str) -> bool:
    """True when the case is a hire that was cancelled (nothing more is sent, ONB-5)."""
    if case_type != CaseType.HIRE:
        return False
    hire = ctx.session.get(Hire, case_id)
    return hire is None or hire.state == HireState.CANCELLED


def talk_context(ctx: Context, step: Step) -> dict[str, Any]:
    """What every cycle mail about a talk shows: who, what kind of talk, when and where."""
    extra_id = step.data.get("extra")
    extra = ctx.session.get(LegalDecision, extra_id) if extra_id else None
    starts = step.starts_at.astimezone(TZ) if step.starts_at else None
    ends = step.ends_at.astimezone(TZ) if step.ends_at else None
    return {
        "soort": "extra beoordelingsgesprek" if extra else step.data.get("talk", "gesprek"),
        "besluit": extra.kind.label if extra else None,
        "besluit_id": extra.id if extra else None,
        "medewerker": employee_recipient(ctx, step.case_type, step.case_id).name,
        "leidinggevende": ctx.person(step.owner_id or "").full_name,
        "datum": step.due_date,
        "start": starts,
        "einde": ends,
        "locatie": section(ctx).location,
    }
