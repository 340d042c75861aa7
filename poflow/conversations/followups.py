"""What follows a recorded appraisal, on the day of the talk: the form shared with the employee
(GES-3), the raise decision or the ready legal decision told to P&O and an onvoldoende to the
gemeentesecretaris (GES-4/5), the form sent to P&O for the personnel file (GES-6).

Scores and motivations only go into these mails; never into logs or audit details (X-3).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from poflow.conversations.case import case_cancelled, employee_recipient, talk_context
from poflow.conversations.models import Appraisal
from poflow.conversations.rules import COMPONENTS, RaiseReason, goes_to_gemeentesecretaris
from poflow.db.models import Action, Step
from poflow.engine import Context
from poflow.kernel.vocabulary import Role

__all__ = ["archive_for_po", "form_context", "share_with_employee", "tell_decision"]

_REASONS = {
    RaiseReason.ONVOLDOENDE: "niet alle onderdelen zijn minimaal voldoende beoordeeld",
    RaiseReason.SCHAALMAXIMUM: "het maximum van de functieschaal is bereikt",
    RaiseReason.TE_KORT: "het is nog geen 12 maanden geleden dat de medewerker in dienst kwam, "
    "de laatste periodiek kreeg of promotie kreeg",
}


def _appraisal(ctx: Context, action: Action) -> tuple[Appraisal, Step] | None:
    """The recorded appraisal of the action's talk, unless the hire was cancelled (ONB-5)."""
    step = action.step
    if step is None or case_cancelled(ctx, action.case_type, action.case_id):
        return None
    row = ctx.session.scalar(select(Appraisal).where(Appraisal.step_id == step.id))
    return (row, step) if row is not None else None


def form_context(ctx: Context, row: Appraisal, step: Step) -> dict[str, Any]:
    """The filled-in form as a mail shows it: each component's score label and motivation."""
    parts = [
        {
            "naam": c.label,
            "score": getattr(row, c.value).label,
            "motivatie": getattr(row, f"{c.value}_motivatie"),
        }
        for c in COMPONENTS
    ]
    reasons = [_REASONS[RaiseReason(r)] for r in (row.raise_reasons or "").split(",") if r]
    return {
        **talk_context(ctx, step),
        "onderdelen": parts,
        "ronde": row.round,
        "vastgelegd_door": ctx.person(row.recorded_by).full_name,
        "periodiek": row.raise_granted,
        "periodiek_datum": row.raise_on,
        "redenen": reasons,
        "onvoldoende": [p["naam"] for p in parts if p["score"] == "Onvoldoende"],
        "case_id": row.case_id,
    }


def share_with_employee(ctx: Context, action: Action) -> bool:
    """Share the recorded appraisal form with the employee on the day of the talk (GES-3)."""
    found = _appraisal(ctx, action)
    if found is None:
        return False
    row, step = found
    ctx.mail(
        key=f"{action.key}:{Role.MEDEWERKER}",
        template="conversations/beoordeling_gedeeld",
        to=employee_recipient(ctx, step.case_type, step.case_id),
        context=form_context(ctx, row, step),
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    return True


def tell_decision(ctx: Context, action: Action) -> bool:
    """Tell P&O the raise decision (GES-4) or that the legal decision may be taken (GES-5);
    an onvoldoende also goes to the gemeentesecretaris."""
    found = _appraisal(ctx, action)
    if found is None:
        return False
    row, step = found
    context = form_context(ctx, row, step)
    ctx.mail(
        key=f"{action.key}:po",
        template="conversations/periodiek",
        to=ctx.po_recipient(),
        context=context,
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    if goes_to_gemeentesecretaris(row.scores):
        for person in ctx.people_with_role(Role.GEMEENTESECRETARIS):
            ctx.mail(
                key=f"{action.key}:gs:{person.id}",
                template="conversations/onvoldoende",
                to=ctx.recipient(person),
                context=context,
                case_type=step.case_type,
                case_id=step.case_id,
                action=action,
            )
        ctx.audit(
            "ges.onvoldoende.escalated", "ges_appraisal", str(row.id), to=Role.GEMEENTESECRETARIS
        )
    return True


def archive_for_po(ctx: Context, action: Action) -> bool:
    """Send P&O the completed appraisal form for the personnel file (GES-6)."""
    found = _appraisal(ctx, action)
    if found is None:
        return False
    row, step = found
    ctx.mail(
        key=f"{action.key}:po",
        template="conversations/dossier",
        to=ctx.po_recipient(),
        context=form_context(ctx, row, step),
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    ctx.audit("ges.appraisal.archived", "ges_appraisal", str(row.id), to="po")
    return True
