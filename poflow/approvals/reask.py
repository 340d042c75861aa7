"""When a person asked in an open four-eyes approval changes address or loses the role they were
asked in (REC-9, X-4): their pending links and their decision so far are void, the question goes
again to the current address, and both the old and the new address are told.

Without this, whoever edits the staff register could send someone's decision to a mailbox of
their own choosing. A person who lost the role cannot be asked again: the notice then goes to
P&O too, who asks someone holding the role now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow.approvals.models import Approval, ApprovalRequest
from poflow.approvals.requests import DECIDE, TEMPLATE, role_label
from poflow.db.models import Person
from poflow.engine import Context
from poflow.kernel.foureyes import Outcome
from poflow.link_tokens import revoke_links
from poflow.links import ActionLink, link_url
from poflow.mail.outbox import Recipient

__all__ = ["CHANGED_TEMPLATE", "PersonChange", "asked_in_open", "reask_changed_person"]

CHANGED_TEMPLATE = "approvals/gevraagde_gewijzigd"


@dataclass(frozen=True, slots=True)
class PersonChange:
    """A change to a person of the staff register that matters to approvals asked of them."""

    person_id: str
    municipality: str
    old_email: str | None  # the address before, when it changed
    removed_roles: frozenset[str]
    login_changed: bool = False  # a login added, reset or its method changed by an operator


def asked_in_open(session: Session, municipality: str, person_id: str) -> list[ApprovalRequest]:
    """The municipality's pending approval requests that ask `person_id`, by id."""
    rows = session.scalars(
        select(ApprovalRequest)
        .where(
            ApprovalRequest.municipality == municipality,
            ApprovalRequest.outcome == Outcome.PENDING,
        )
        .order_by(ApprovalRequest.id)
    )
    return [r for r in rows if person_id in r.required.values()]


def _void_decisions(ctx: Context, request: ApprovalRequest, person_id: str) -> int:
    """Remove the person's decisions on a request that is not final yet, each audited."""
    rows = list(
        ctx.session.scalars(
            select(Approval).where(
                Approval.subject_type == request.subject_type,
                Approval.subject_id == request.subject_id,
                Approval.person_id == person_id,
            )
        )
    )
    for row in rows:
        ctx.audit(
            "approval.voided",
            request.subject_type,
            request.subject_id,
            approval_id=row.id,  # `poflow audit verify` accounts for the removed row by this
            role=row.role,
            person=person_id,
            because="person_changed",
        )
        ctx.session.delete(row)
    return len(rows)


def reask_changed_person(ctx: Context, change: PersonChange) -> int:
    """Void, re-ask and tell for each open request asking the changed person; how many."""
    person = ctx.person(change.person_id)
    requests = asked_in_open(ctx.session, change.municipality, person.id)
    for request in requests:
        revoked = revoke_links(
            ctx.session,
            case_type=request.subject_type,
            case_id=request.subject_id,
            action=DECIDE,
            subject_id=person.id,
            reason="person_changed",
        )
        voided = _void_decisions(ctx, request, person.id)
        n = ctx.session.scalar(
            select(func.count())
            .select_from(ActionLink)
            .where(
                ActionLink.case_type == request.subject_type,
                ActionLink.case_id == request.subject_id,
                ActionLink.subject_id == person.id,
            )
        )
        labels = [role_label(r) for r in request.required]
        for role in sorted(r for r, pid in request.required.items() if pid == person.id):
            again = role not in change.removed_roles
            if again:
                url = link_url(
                    ctx,
                    action=DECIDE,
                    subject_id=person.id,
                    case_type=request.subject_type,
                    case_id=request.subject_id,
                    data={"role": role},
                )
                ctx.mail(
                    key=f"approval:{request.subject_type}:{request.subject_id}:{role}:"
                    f"{person.id}:again{n}",
                    template=TEMPLATE,
                    to=ctx.recipient(person),
                    context={
                        "titel": request.title,
                        "rol": role_label(role),
                        "rollen": labels,
                        "link": url,
                    },
                    case_type=request.subject_type,
                    case_id=request.subject_id,
                )
            _tell(ctx, request, person, change, role=role, again=again, voided=voided, n=n)
            ctx.audit(
                "approval.reasked" if again else "approval.asked_lost_role",
                request.subject_type,
                request.subject_id,
                person=person.id,
                role=role,
                revoked_links=revoked,
                voided_decisions=voided,
                email_changed=change.old_email is not None,
                login_changed=change.login_changed,
            )
    return len(requests)


def _tell(
    ctx: Context,
    request: ApprovalRequest,
    person: Person,
    change: PersonChange,
    *,
    role: str,
    again: bool,
    voided: int,
    n: int | None,
) -> None:
    """The notice to the old and the current address (and P&O when nobody is asked again)."""
    what = " en ".join(
        w
        for w, changed in (
            ("het e-mailadres", change.old_email),
            ("de rollen", change.removed_roles),
            ("de inlog", change.login_changed),
        )
        if changed
    )
    to = [ctx.recipient(person)]
    if change.old_email is not None:
        to.insert(0, Recipient(person.id, person.full_name, change.old_email, person.given_name))
    if not again:
        to.append(ctx.po_recipient())
    for i, recipient in enumerate(to):
        ctx.mail(
            key=f"approval-changed:{request.subject_type}:{request.subject_id}:{role}:"
            f"{person.id}:{n}:{i}",
            template=CHANGED_TEMPLATE,
            to=recipient,
            context={
                "titel": request.title,
                "rol": role_label(role),
                "persoon": person.full_name,
                "wat": what,
                "opnieuw": again,
                "nieuw_adres": person.email,
                "besluit_vervallen": voided > 0,
            },
            case_type=request.subject_type,
            case_id=request.subject_id,
        )
