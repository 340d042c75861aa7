"""The link action of four-eyes approvals (REC-9): `approval.decide`, answered by each asked
person through their own identity-bound link, with a reason required for "niet akkoord"."""

from __future__ import annotations

from sqlalchemy.orm import Session

from poflow._exceptions import ActionRefused, ApprovalRefused
from poflow.approvals.decisions import record_decision, recorded_decisions, roles_of
from poflow.approvals.models import ApprovalRequest
from poflow.approvals.requests import DECIDE, approval_outcome, find_request, role_label
from poflow.approvals.states import OUTCOMES
from poflow.db.base import utcnow
from poflow.engine import Context
from poflow.kernel.foureyes import Outcome, outcome
from poflow.links import ActionLink, FormField, LinkAction
from poflow.resume import resume_after_commit

__all__ = ["APPROVE", "DECIDE_ACTION", "LINK_ACTIONS", "REJECT"]

APPROVE, REJECT = "akkoord", "niet_akkoord"


def _state_nl(state: Outcome) -> str:
    return {Outcome.APPROVED: "akkoord", Outcome.REJECTED: "niet akkoord"}.get(state, "open")


def _describe(ctx: Context, link: ActionLink) -> str:
    request = find_request(ctx.session, link.case_type, link.case_id)
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
    """Why the decision was refused, in Dutch (the kernel's check_decision says it in English)."""
    recorded = recorded_decisions(session, link.case_type, link.case_id)
    state = outcome(tuple(request.required), recorded)
    label = role_label(role)
    if role not in request.required:
        return f"Voor dit besluit is geen {label} gevraagd."
    if role not in roles_of(session, link.subject_id, link.municipality):
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
    if request.required.get(role) != link.subject_id:
        return (
            f"Je bent niet gevraagd om als {label} over dit verzoek te beslissen; dat is "
            "gevraagd aan iemand anders. Er is niets vastgelegd (vierogenprincipe)."
        )
    return f"Het besluit als {label} is al door iemand anders genomen."


def _perform(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    request = find_request(ctx.session, link.case_type, link.case_id)
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
        OUTCOMES.check(f"approval {link.case_type} {link.case_id}", request.outcome, result)
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
    needs_login=True,
    title="Besluit nemen (vierogenprincipe)",
    done="besluit vastgelegd",
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

LINK_ACTIONS = (DECIDE_ACTION,)
