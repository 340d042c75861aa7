"""Who open work waits on (issue 21): the overview's "Wat wacht op wie" (open steps due within a
week or late, counted per owner and process in one index-only pass over ix_step_open_work, and
the four-eyes questions still waiting), and the names and Dutch labels of owners and kinds that
the overview and a hire's page share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from poflow.approvals.models import Approval, ApprovalRequest
from poflow.db.base import chunked, one_of
from poflow.db.models import Hire, Person, Step
from poflow.kernel.foureyes import Outcome
from poflow.kernel.vocabulary import Role
from poflow.onboarding.rules import OWNER_LABELS
from poflow.states import StepState

__all__ = [
    "PROCESS_LABELS",
    "WAIT_HORIZON",
    "Wait",
    "names_of",
    "owner_label",
    "wait_groups",
    "waits",
]

WAIT_HORIZON = timedelta(days=7)  # "what waits on whom": open work due within a week, or late
PROCESS_LABELS = {
    "onb": "checklist-items",
    "bud": "buddy-taken",
    "chk": "check-ins",
    "int": "introductie",
    "ges": "gesprekken en formulieren",
    "rec": "werving",
    "akkoord": "akkoorden (vier ogen)",
}


@dataclass
class Wait:
    """Open work waiting on one person (or a role): per kind, how many, how many late, first."""

    who: str
    kinds: list[tuple[str, int, int, date]]  # (label, open, late, earliest due)

    @property
    def late(self) -> int:
        """Items past their date."""
        return sum(k[2] for k in self.kinds)


def owner_label(owner_id: str | None, owner_role: str | None, names: dict[str, str]) -> str:
    """Who an item waits on: the person's name, else the role's Dutch name."""
    if owner_id and owner_id in names:
        return names[owner_id]
    if not owner_role:
        return "P&O"
    if owner_role in OWNER_LABELS:
        return OWNER_LABELS[owner_role]
    return Role(owner_role).label if owner_role in Role._value2member_map_ else owner_role


def names_of(session: Session, ids: set[str], known: dict[str, str]) -> dict[str, str]:
    """Person id (or, for the new colleague's own items, hire id) -> name, for the ids given."""
    names = {i: known[i] for i in ids if i in known}
    for table in (Person, Hire):
        wanted = sorted(ids - set(names))
        for chunk in chunked(wanted):
            names.update(
                {
                    pid: f"{given} {family}"
                    for pid, given, family in session.execute(
                        select(table.id, table.given_name, table.family_name).where(
                            one_of(session, table.id, chunk)
                        )
                    )
                }
            )
    return names


def wait_groups(
    session: Session, municipality: str, day: date
) -> dict[tuple[str | None, str | None], list[tuple[str, int, int, date]]]:
    """Open steps due within WAIT_HORIZON (or late) and waiting four-eyes questions, per person
    (owner id, or None and the owner's role): (kind, open, late, earliest due) per kind. One
    grouped pass over the municipality's open steps on ix_step_open_work (index only)."""
    late = case((Step.due_date < day, 1), else_=0)
    found = session.execute(
        select(
            Step.owner_id,
            Step.owner_role,
            Step.process,
            func.count(),
            func.sum(late),
            func.min(Step.due_date),
        )
        .where(
            Step.state == StepState.OPEN,
            Step.due_date <= day + WAIT_HORIZON,
            Step.municipality == municipality,
        )
        .group_by(Step.owner_id, Step.owner_role, Step.process)
    ).all()
    groups: dict[tuple[str | None, str | None], list[tuple[str, int, int, date]]] = defaultdict(
        list
    )
    for owner_id, owner_role, process, n, n_late, first in found:
        label = PROCESS_LABELS.get(process, process)
        groups[(owner_id, None if owner_id else owner_role)].append(
            (label, n, int(n_late or 0), first)
        )
    for person_id, asked_on in _open_approvals(session, municipality):
        groups[(person_id, None)].append((PROCESS_LABELS["akkoord"], 1, 0, asked_on))
    return groups


def waits(
    groups: dict[tuple[str | None, str | None], list[tuple[str, int, int, date]]],
    names: dict[str, str],
) -> list[Wait]:
    """The wait groups with their people's names, the most late work first."""
    found = [
        Wait(owner_label(owner_id, role, names), sorted(kinds, key=lambda k: k[3]))
        for (owner_id, role), kinds in groups.items()
    ]
    return sorted(found, key=lambda w: (-w.late, w.who))


def _open_approvals(session: Session, municipality: str) -> list[tuple[str, date]]:
    """(person asked, day asked) of every four-eyes question still waiting on that person."""
    asked = session.execute(
        select(
            ApprovalRequest.subject_type,
            ApprovalRequest.subject_id,
            ApprovalRequest.required,
            ApprovalRequest.created_at,
        ).where(
            ApprovalRequest.municipality == municipality,
            ApprovalRequest.outcome == Outcome.PENDING,
        )
    ).all()
    if not asked:
        return []
    given = {
        (stype, sid, role)
        for stype, sid, role in session.execute(
            select(Approval.subject_type, Approval.subject_id, Approval.role).where(
                Approval.municipality == municipality
            )
        )
    }
    return [
        (person_id, created.date())
        for stype, sid, required, created in asked
        for role, person_id in required.items()
        if (stype, sid, role) not in given
    ]
