"""Four-eyes approval requests (REC-9) answered through identity-bound links, for any process.

`request_approval` records who is asked in which role and mails each person their own link;
the link action "approval.decide" records that person's decision through
`foureyes.record_decision` (the rule and the database constraints live there, no override).
When the outcome becomes final and a Prefect flow run waits for it, that run is resumed after
the commit with `ApprovalInput` (see flows/approval.py). Reasons are personal data: stored only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import JSON, Enum, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poflow._exceptions import ActionRefused, ApprovalRefused, NotFound
from poflow.approvals.foureyes import Outcome, outcome, record_decision, recorded_decisions
from poflow.db.base import Base, UTCDateTime, utcnow
from poflow.db.models import PersonRole
from poflow.engine import Context
from poflow.links import ActionLink, FormField, LinkAction, link_url
from poflow.resume import resume_after_commit

__all__ = [
    "DECIDE",
    "ROLE_LABELS",
    "ApprovalInput",
    "ApprovalRequest",
    "approval_outcome",
    "attach_flow_run",
    "request_approval",
    "role_label",
]

DECIDE = "approval.decide"
APPROVE, REJECT = "akkoord", "niet_akkoord"
ROLE_LABELS = {
    "po_adviseur": "P&O-adviseur",
    "leidinggevende": "leidinggevende",
    "gemeentesecretaris": "gemeentesecretaris",
    "mt_lid": "MT-lid",
    "or_lid": "lid van de OR",
    "recruiter": "recruiter",
}


def role_label(role: str) -> str:
    """The Dutch name of a role, for mails and pages."""
    return ROLE_LABELS.get(role, role.replace("_", " "))


class ApprovalInput(BaseModel):
    """What a waiting flow receives on resume: the subject's outcome (ids and states only)."""

    outcome: Outcome


class ApprovalRequest(Base):
    """One four-eyes question: which person is asked in which role, and where it stands."""

    __tablename__ = "approval_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))  # may name the candidate: never logged
    required: Mapped[dict[str, str]] = mapped_column(JSON)  # role -> person id
    flow_run_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[Outcome] = mapped_column(
        Enum(Outcome, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Outcome.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("subject_type", "subject_id"),)


def _request(session: Session, subject_type: str, subject_id: str) -> ApprovalRequest | None:
    return session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.subject_type == subject_type, ApprovalRequest.subject_id == subject_id
        )
    )


def _roles_of(session: Session, person_id: str, municipality: str) -> set[str]:
    return set(
        session.scalars(
            select(PersonRole.role).where(
                PersonRole.person_id == person_id, PersonRole.municipality == municipality
            )
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
    is not registered in the role asked of them (REC-9). Like foureyes.record_decision, a
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
    existing = _request(ctx.session, subject_type, subject_id)
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
        if role not in _roles_of(ctx.session, person_id, ctx.municipality):
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
            template="approval_request",
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
    request = _request(session, subject_type, subject_id)
    if request is None:
        raise NotFound(f"No approval was requested for {subject_type} {subject_id}")
    return outcome(tuple(request.required), recorded_decisions(session, subject_type, subject_id))


def attach_flow_run(session: Session, subject_type: str, subject_id: str, flow_run_id: str) -> None:
    """Let the flow run `flow_run_id` be resumed when the subject's outcome becomes final."""
    request = _request(session, subject_type, subject_id)
    if request is None:
        raise NotFound(f"No approval was requested for {subject_type} {subject_id}")
    request.flow_run_id = flow_run_id


# -- the link action -----------------------------------------------------------------------------
def _state_nl(state: Outcome) -> str:
    return {Outcome.APPROVED: "akkoord", Outcome.REJECTED: "niet akkoord"}.get(state, "open")


def _describe(ctx: Context, link: ActionLink) -> str:
    request = _request(ctx.session, link.case_type, link.case_id)
    if request is None:
        return "Dit verzoek om een besluit is niet (meer) bekend."
    role = str(link.data.get("role", ""))
    others = [role_label(r) for r in request.required if r != role]
    state = approval_outcome(ctx.session, link.case_type, link.case_id)
    text = (
        f"{request.title}\n\nJe bent gevraagd om als {role_label(role)} te beslissen. Volgens "
        f"het vierogenprincipe beslissen twee verschillende mensen: jij en de "
        f"{' en '.join(others)}. Bij niet akkoord is een toelichting verplicht."
    )
    if state is not Outcome.PENDING:
        text += f"\n\nLet op: over dit verzoek is al beslist ({_state_nl(state)})."
    return text


def _reason_required(values: dict[str, str]) -> dict[str, str]:
    if values.get("besluit") == REJECT and not values.get("toelichting", "").strip():
        return {"toelichting": "Geef een toelichting: die is verplicht als je niet akkoord gaat."}
    return {}


def _dutch_refusal(session: Session, link: ActionLink, request: ApprovalRequest, role: str) -> str:
    """Why the decision was refused, in Dutch, in the order foureyes.check_decision checks."""
    recorded = recorded_decisions(session, link.case_type, link.case_id)
    state = outcome(tuple(request.required), recorded)
    label = role_label(role)
    if role not in request.required:
        return f"Voor dit besluit is geen {label} gevraagd."
    if role not in _roles_of(session, link.subject_id, link.municipality):
        return (
            f"Je staat niet geregistreerd als {label}. Alleen iemand in die rol mag dit "
            "besluit nemen (vierogenprincipe)."
        )
    if state is not Outcome.PENDING:
        return f"Over dit verzoek is al beslist ({_state_nl(state)}). Je hoeft niets meer te doen."
    mine = [d for d in recorded if d.person_id == link.subject_id]
    if mine:
        return (
            f"Je hebt al besloten als {role_label(mine[0].role)}. Het tweede besluit moet "
            "van iemand anders komen (vierogenprincipe)."
        )
    return f"Het besluit als {label} is al door iemand anders genomen."


def _perform(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    request = _request(ctx.session, link.case_type, link.case_id)
    role = str(link.data.get("role", ""))
    if request is None or not role:
        raise ActionRefused("Dit verzoek om een besluit is niet (meer) bekend bij poflow.")
    approve = form.get("besluit") == APPROVE
    reason = form.get("toelichting", "").strip() or None
    try:
        result = record_decision(
            ctx.session,
            municipality=link.municipality,
            subject_type=link.case_type,
            subject_id=link.case_id,
            required_roles=tuple(request.required),
            role=role,
            person_id=link.subject_id,
            approve=approve,
            reason=reason,
            link_id=link.id,
            asked=dict(request.required),
        )
    except ApprovalRefused as exc:
        raise ActionRefused(_dutch_refusal(ctx.session, link, request, role)) from exc
    if result is not Outcome.PENDING:
        request.outcome = result
        request.decided_at = utcnow()
        ctx.audit("approval.decided", link.case_type, link.case_id, outcome=result.value)
        if request.flow_run_id:
            resume_after_commit(ctx.session, request.flow_run_id, {"outcome": result.value})
    if not approve:
        return "Je besluit 'niet akkoord' is vastgelegd, met je toelichting. Dank je wel."
    if result is Outcome.APPROVED:
        return "Je akkoord is vastgelegd. Beide besluiten zijn nu binnen: het verzoek is akkoord."
    return "Je akkoord is vastgelegd. Het tweede besluit moet nog komen van de andere rol."


DECIDE_ACTION = LinkAction(
    name=DECIDE,
    title="Besluit vierogenprincipe",
    describe=_describe,
    perform=_perform,
    fields=(
        FormField(
            "besluit",
            "Je besluit",
            kind="select",
            required=True,
            personal=False,
            choices=((APPROVE, "Akkoord"), (REJECT, "Niet akkoord")),
        ),
        FormField(
            "toelichting",
            "Toelichting (verplicht bij niet akkoord)",
            kind="textarea",
            max_length=2000,
        ),
    ),
    button="Besluit vastleggen",
    extra={"validate": _reason_required},
)
