"""The four-eyes rule (REC-9), pure: two different people, each holding one of the required
roles, each deciding once; rejected as soon as anyone rejects. No override exists.

`poflow.approvals.decisions` applies it against the database, where unique constraints
enforce it a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from poflow._exceptions import ApprovalRefused

__all__ = ["Decision", "Outcome", "check_decision", "outcome"]


class Outcome(StrEnum):
    """Where a four-eyes subject stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Decision:
    """One recorded decision: who, in which role, approve or reject."""

    role: str
    person_id: str
    approve: bool


def outcome(required_roles: tuple[str, ...], recorded: list[Decision]) -> Outcome:
    """Rejected as soon as anyone rejects; approved when every required role has approved."""
    if any(not d.approve for d in recorded):
        return Outcome.REJECTED
    filled = {d.role for d in recorded}
    return Outcome.APPROVED if set(required_roles) <= filled else Outcome.PENDING


def check_decision(
    *,
    subject: str,
    required_roles: tuple[str, ...],
    recorded: list[Decision],
    person_id: str,
    person_roles: set[str],
    role: str,
    approve: bool,
    asked: dict[str, str] | None = None,
) -> None:
    """Raise ApprovalRefused unless `person_id` may record this decision as `role` now.

    `asked` (role -> person id), when given, names who was asked for each role: someone else
    holding the role cannot take that person's place.
    """
    verb = "approve" if approve else "reject"
    prefix = f"Cannot {verb} {subject} as {role}"
    if len(set(required_roles)) < 2:
        raise ApprovalRefused(f"{prefix}: a four-eyes step needs two different roles.")
    if role not in required_roles:
        raise ApprovalRefused(f"{prefix}: the roles asked are {', '.join(required_roles)}.")
    if role not in person_roles:
        raise ApprovalRefused(f"{prefix}: person {person_id} is not registered as {role}.")
    if asked is not None and asked.get(role) != person_id:
        raise ApprovalRefused(
            f"{prefix}: person {person_id} was not asked; {role} was asked of {asked.get(role)}."
        )
    state = outcome(required_roles, recorded)
    if state is not Outcome.PENDING:
        raise ApprovalRefused(f"{prefix}: the decision is already final ({state.value}).")
    for d in recorded:
        if d.person_id == person_id:
            raise ApprovalRefused(
                f"{prefix}: person {person_id} already decided as {d.role}; "
                "the second decision must come from someone else."
            )
        if d.role == role:
            raise ApprovalRefused(f"{prefix}: {role} was already decided by {d.person_id}.")
