"""Recording one four-eyes decision (REC-9): two different people, each registered in the
required role, each deciding once.

The rule is pure (`poflow.kernel.foureyes.check_decision`); `record_decision` applies it
against the database, where unique constraints enforce it a second time: one decision per role
and one per person for each subject, so one person can never fill both roles or decide twice.
There is no override.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import ApprovalRefused
from poflow.approvals.models import Approval, ApprovalRequest
from poflow.db.models import PersonRole
from poflow.kernel.foureyes import Decision, Outcome, check_decision, outcome

__all__ = ["record_decision", "recorded_decisions", "roles_of"]


def roles_of(session: Session, person_id: str, municipality: str) -> set[str]:
    """The roles `person_id` is registered in within `municipality`."""
    return set(
        session.scalars(
            select(PersonRole.role).where(
                PersonRole.person_id == person_id, PersonRole.municipality == municipality
            )
        )
    )


def recorded_decisions(session: Session, subject_type: str, subject_id: str) -> list[Decision]:
    """The decisions recorded so far for a subject."""
    rows = session.scalars(
        select(Approval)
        .where(Approval.subject_type == subject_type, Approval.subject_id == subject_id)
        .order_by(Approval.id)
    )
    return [Decision(r.role, r.person_id, r.approve) for r in rows]


def record_decision(
    session: Session,
    *,
    municipality: str,
    subject_type: str,
    subject_id: str,
    required_roles: tuple[str, ...],
    role: str,
    person_id: str,
    approve: bool,
    reason: str | None = None,
    link_id: int | None = None,
    asked: dict[str, str] | None = None,
) -> Outcome:
    """Record one decision and return the subject's outcome; ApprovalRefused if not allowed.

    When the subject was asked with an ApprovalRequest, only the people it asks may decide.

    Every attempt is audited. On ApprovalRefused the session holds only the audit row of the
    refusal: the caller commits it (nothing else was written).
    """
    subject = f"{subject_type} {subject_id}"
    # Who was asked is the request's, whatever the caller says: a role holder who was not
    # asked is refused even when a caller forgets to pass `asked`.
    request = session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.subject_type == subject_type, ApprovalRequest.subject_id == subject_id
        )
    )
    if request is not None:
        asked = dict(request.required)
    person_roles = roles_of(session, person_id, municipality)
    recorded = recorded_decisions(session, subject_type, subject_id)
    try:
        check_decision(
            subject=subject,
            required_roles=required_roles,
            recorded=recorded,
            person_id=person_id,
            person_roles=person_roles,
            role=role,
            approve=approve,
            asked=asked,
        )
        decision = Approval(
            municipality=municipality,
            subject_type=subject_type,
            subject_id=subject_id,
            role=role,
            person_id=person_id,
            approve=approve,
            reason=reason,
            link_id=link_id,
        )
        with session.begin_nested():
            session.add(decision)
    except (IntegrityError, ApprovalRefused) as exc:
        refused = (
            exc
            if isinstance(exc, ApprovalRefused)
            else ApprovalRefused(
                f"Cannot record {subject} as {role} for {person_id}: "
                "the database refused a second decision by the same person "
                "or for the same role."
            )
        )
        _audit(
            session,
            municipality,
            subject_type,
            subject_id,
            person_id,
            role,
            approve,
            refused=str(refused),
        )
        if refused is exc:
            raise
        raise refused from exc
    result = outcome(required_roles, [*recorded, Decision(role, person_id, approve)])
    _audit(
        session,
        municipality,
        subject_type,
        subject_id,
        person_id,
        role,
        approve,
        outcome=result.value,
        approval_id=decision.id,  # `poflow audit verify` matches each approval row to this
    )
    return result


def _audit(
    session: Session,
    municipality: str,
    subject_type: str,
    subject_id: str,
    person_id: str,
    role: str,
    approve: bool,
    **detail: str | int | bool,
) -> None:
    action = "approval." + (
        "refused" if "refused" in detail else ("approved" if approve else "rejected")
    )
    audit.record(
        session,
        actor=person_id,
        action=action,
        entity_type=subject_type,
        entity_id=subject_id,
        municipality=municipality,
        role=role,
        approve=approve,
        **detail,
    )
