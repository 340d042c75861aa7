"""Four-eyes approval requests (REC-9) for any process: asking the people and reading the outcome.

`request_approval` records who is asked in which role and mails each person their own link;
the link action (`links.DECIDE_ACTION`) records that person's decision through
`decisions.record_decision` (the rule and the database constraints live there, no override).
When the outcome becomes final and a Prefect flow run waits for it, that run is resumed after
the commit (see flows/waits.py); the `ApprovalInput` sent along is not read: the run re-reads.
Reasons are personal data: stored only.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import ApprovalRefused, NotFound
from poflow.approvals.decisions import recorded_decisions, roles_of
from poflow.approvals.models import ApprovalRequest
from poflow.engine import Context
from poflow.kernel.foureyes import Outcome, outcome
from poflow.kernel.vocabulary import Role
from poflow.links import link_url

__all__ = [
    "DECIDE",
    "ROLE_LABELS",
    "TEMPLATE",
    "ApprovalInput",
    "approval_outcome",
    "attach_flow_run",
    "find_request",
    "request_approval",
    "role_label",
]

DECIDE = "approval.decide"  # the link action each asked person's mail carries
TEMPLATE = "approvals/approval_request"
# The roles a four-eyes step asks, with their Dutch names (the vocabulary's labels).
ROLE_LABELS: dict[str, str] = {
    role.value: role.label
    for role in (
        Role.PO_ADVISEUR,
        Role.LEIDINGGEVENDE,
        Role.GEMEENTESECRETARIS,
        Role.MT_LID,
        Role.OR_LID,
        Role.RECRUITER,
    )
}


def role_label(role: str) -> str:
    """The Dutch name of a role, for mails and pages."""
    return ROLE_LABELS.get(role, role.replace("_", " "))


class ApprovalInput(BaseModel):
    """What a waiting flow receives on resume: the subject's outcome (ids and states only)."""

    outcome: Outcome


def find_request(session: Session, subject_type: str, subject_id: str) -> ApprovalRequest | None:
    """The request for this subject, if one was made."""
    return session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.subject_type == subject_type, ApprovalRequest.subject_id == subject_id
        )
    )


def request_approval(
    ctx: Context,
    *,
    subject_type: str,
    subject_id: str,
    required: dict[str, str],
    title: str,
    flow_run_id: str | None = None,
) -> None:
    """Record the question and queue each person's own link mail; a repeat is a no-op.

    ApprovalRefused when fewer than two roles are asked, one person is asked twice, or someone
    is not registered in the role asked of them (REC-9). Like decisions.record_decision, a
    refusal leaves only its audit row in the session: the caller commits it.
    """
    subject = f"{subject_type} {subject_id}"
    if len(subject_type) > 16 or len(subject_id) > 40:
        raise ValueError(f"Cannot request approval of {subject}: type max 16, id max 40 chars.")

    def refuse(message: str) -> ApprovalRefused:
        ctx.audit(
            "approval.request_refused",
            subject_type,
            subject_id,
            **{f"role_{r}": p for r, p in sorted(required.items())},
        )
        return ApprovalRefused(message)

    if len(required) < 2 or len(set(required.values())) < len(required):
        raise refuse(
            f"Cannot request approval of {subject}: four eyes need at least "
            f"two roles held by different people (asked: {required})."
        )
    existing = find_request(ctx.session, subject_type, subject_id)
    if existing is not None:
        if existing.required != required:
            raise refuse(
                f"Cannot request approval of {subject} again with other "
                f"people: it was asked of {existing.required}."
            )
        if flow_run_id:
            existing.flow_run_id = flow_run_id
        return
    for role, person_id in sorted(required.items()):
        if role not in roles_of(ctx.session, person_id, ctx.municipality):
            raise refuse(
                f"Cannot request approval of {subject}: person {person_id} is "
                f"not registered as {role} in {ctx.municipality}."
            )
    ctx.session.add(
        ApprovalRequest(
            municipality=ctx.municipality,
            subject_type=subject_type,
            subject_id=subject_id,
            title=title,
            required=dict(required),
            flow_run_id=flow_run_id,
        )
    )
    ctx.session.flush()
    labels = [role_label(r) for r in required]
    for role, person_id in sorted(required.items()):
        url = link_url(
            ctx,
            action=DECIDE,
            subject_id=person_id,
            case_type=subject_type,
            case_id=subject_id,
            data={"role": role},
        )
        ctx.mail(
            key=f"approval:{subject_type}:{subject_id}:{role}:{person_id}",
            template=TEMPLATE,
            to=ctx.recipient(ctx.person(person_id)),
            context={"titel": title, "rol": role_label(role), "rollen": labels, "link": url},
            case_type=subject_type,
            case_id=subject_id,
        )
    ctx.audit(
        "approval.requested",
        subject_type,
        subject_id,
        **{f"role_{r}": p for r, p in sorted(required.items())},
    )


def approval_outcome(session: Session, subject_type: str, subject_id: str) -> Outcome:
    """Where the subject's four-eyes decision stands; NotFound when it was never requested."""
    request = find_request(session, subject_type, subject_id)
    if request is None:
        raise NotFound(f"No approval was requested for {subject_type} {subject_id}")
    return outcome(tuple(request.required), recorded_decisions(session, subject_type, subject_id))


def attach_flow_run(session: Session, subject_type: str, subject_id: str, flow_run_id: str) -> None:
    """Let the flow run `flow_run_id` be resumed when the subject's outcome becomes final."""
    request = find_request(session, subject_type, subject_id)
    if request is None:
        raise NotFound(f"No approval was requested for {subject_type} {subject_id}")
    request.flow_run_id = flow_run_id
