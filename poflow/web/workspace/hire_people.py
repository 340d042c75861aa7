"""A hire's checklist item marked done on its owner's behalf, and a new buddy or leidinggevende,
by a P&O adviser (issue 21, WS-ACTIONS): `/medewerkers/{hire_id}/items/{step_id}/namens`,
`/medewerkers/{hire_id}/buddy` and `/medewerkers/{hire_id}/leidinggevende`.

The pages call the onboarding package's functions (`complete_on_behalf`, `hand_over`), audited
as the adviser (X-4); a handover's mails go out the same day (today's dispatcher pass).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import ActionRefused, HandoverRefused, NotFound
from poflow.auth.viewer import Viewer
from poflow.db.models import Hire, Person
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl
from poflow.onboarding.handover import complete_on_behalf, hand_over, item_of
from poflow.onboarding.handover_rules import MAX_REASON_LENGTH, reason_problem
from poflow.states import StepState
from poflow.web.workspace import hire_common as common
from poflow.web.workspace.frame import Form, form_csrf, message, read_form, render, runtime

__all__ = ["router"]

router = APIRouter()
BEHALF = "/medewerkers/{hire_id}/items/{step_id}/namens"
ROLE_PATH = {
    "buddy": "/medewerkers/{hire_id}/buddy",
    "leidinggevende": "/medewerkers/{hire_id}/leidinggevende",
}


def _item(request: Request, viewer: Viewer, hire: Hire, step_id: int) -> dict[str, Any] | None:
    rt = runtime(request)
    with rt.factory() as db:
        ctx = rt.context(db, hire.municipality, today(), actor=viewer.person_id)
        try:
            step = item_of(ctx, hire.id, step_id)
        except NotFound:
            return None
        owner = db.get(Person, step.owner_id) if step.owner_id else None
        name = hire.full_name if step.owner_id == hire.id else None
        return {
            "id": step.id,
            "titel": step.title,
            "eigenaar": name or (owner.full_name if owner else step.owner_role or "onbekend"),
            "deadline": date_nl(step.due_date),
            "open": step.state == StepState.OPEN,
        }


def _behalf_page(
    request: Request,
    viewer: Viewer,
    hire: Hire,
    item: dict[str, Any],
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        **common.hire_context(request, viewer, hire),
        "item": item,
        "csrf": form_csrf(request, f"namens:{hire.id}:{item['id']}"),
        "reden": reason,
        "max_length": MAX_REASON_LENGTH,
        "errors": errors or {},
    }
    return render(request, "werkplek/namens.html", context, status)


def _unknown_item(request: Request, viewer: Viewer) -> HTMLResponse:
    return message(request, viewer, "Punt niet gevonden", "Dit punt is niet bekend.", 404)


@router.get(BEHALF, response_class=HTMLResponse)
def behalf_form(request: Request, hire_id: str, step_id: int) -> Response:
    """The form: why P&O marks this item done on its owner's behalf."""
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    item = _item(request, viewer, hire, step_id)
    if item is None:
        return _unknown_item(request, viewer)
    return _behalf_page(request, viewer, hire, item)


@router.post(BEHALF, response_class=HTMLResponse)
async def behalf_post(request: Request, hire_id: str, step_id: int) -> Response:
    """Mark the item done on behalf, with the reason (audited, X-4)."""
    form = await read_form(request, f"namens:{hire_id}:{step_id}")
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_behalf, request, hire_id, step_id, form.one("reden"))


def _behalf(request: Request, hire_id: str, step_id: int, reason: str) -> Response:
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    item = _item(request, viewer, hire, step_id)
    if item is None:
        return _unknown_item(request, viewer)
    problem = reason_problem(reason)
    if problem is not None:
        return _behalf_page(
            request,
            viewer,
            hire,
            item,
            reason=reason[:MAX_REASON_LENGTH],
            errors={"reden": problem},
            status=422,
        )
    rt = runtime(request)
    with rt.factory() as db:
        ctx = rt.context(db, hire.municipality, today(), actor=viewer.person_id)
        try:
            complete_on_behalf(ctx, hire.id, step_id, by=viewer.person_id, reason=reason)
        except ActionRefused as exc:
            db.rollback()
            return message(request, viewer, "Niet afgevinkt", str(exc), 409)
        db.commit()
    return common.done(hire.id, "afgevinkt")


def _candidates(request: Request, hire: Hire, role: str) -> list[dict[str, str]]:
    """The staff register's colleagues who could be the hire's `role` (the domain checks again)."""
    with runtime(request).factory() as db:
        people = db.scalars(
            select(Person).where(Person.municipality == hire.municipality).order_by(Person.id)
        ).all()
        current = hire.buddy_id if role == "buddy" else hire.manager_id
        out = []
        for p in people:
            fits = p.team == hire.team if role == "buddy" else Role.LEIDINGGEVENDE in p.role_names
            if fits and p.id not in (current, hire.manager_id, hire.buddy_id):
                out.append({"id": p.id, "naam": f"{p.full_name} ({p.team})"})
        names = {p.id: p.full_name for p in people}
        return [{"huidig": names.get(current or "", "niemand")}, *out]


def _role_page(
    request: Request,
    viewer: Viewer,
    hire: Hire,
    role: str,
    *,
    chosen: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    current, *choices = _candidates(request, hire, role)
    context = {
        **common.hire_context(request, viewer, hire),
        "rol": role,
        "huidig": current["huidig"],
        "keuzes": choices,
        "gekozen": chosen,
        "csrf": form_csrf(request, f"{role}:{hire.id}"),
        "errors": errors or {},
    }
    return render(request, "werkplek/overdragen.html", context, status)


def _role_form(request: Request, hire_id: str, role: str) -> Response:
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    return _role_page(request, viewer, hire, role)


def _hand_over(request: Request, hire_id: str, role: str, form: Form) -> Response:
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    chosen = form.one("persoon")
    if not chosen:
        errors = {"persoon": f"Kies de nieuwe {role}."}
        return _role_page(request, viewer, hire, role, errors=errors, status=422)
    rt = runtime(request)
    with rt.factory() as db:
        ctx = rt.context(db, hire.municipality, today(), actor=viewer.person_id)
        try:
            hand_over(ctx, hire.id, role, chosen, by=viewer.person_id)
        except HandoverRefused as exc:
            db.rollback()
            return _role_page(
                request,
                viewer,
                hire,
                role,
                chosen=chosen,
                errors={"persoon": str(exc)},
                status=422,
            )
        except NotFound:
            db.rollback()
            return message(
                request, viewer, "Niet gewijzigd", "Deze indiensttreding loopt niet (meer).", 409
            )
        db.commit()
    common.tell_today(request, hire.municipality)
    return common.done(hire.id, role)


@router.get(ROLE_PATH["buddy"], response_class=HTMLResponse)
def buddy_form(request: Request, hire_id: str) -> Response:
    """The form: a colleague of the hire's team as the new buddy."""
    return _role_form(request, hire_id, "buddy")


@router.post(ROLE_PATH["buddy"], response_class=HTMLResponse)
async def buddy_post(request: Request, hire_id: str) -> Response:
    """Make the colleague chosen the buddy (BUD-1), told today."""
    form = await read_form(request, f"buddy:{hire_id}")
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_hand_over, request, hire_id, "buddy", form)


@router.get(ROLE_PATH["leidinggevende"], response_class=HTMLResponse)
def manager_form(request: Request, hire_id: str) -> Response:
    """The form: a leidinggevende of the staff register as the new one."""
    return _role_form(request, hire_id, "leidinggevende")


@router.post(ROLE_PATH["leidinggevende"], response_class=HTMLResponse)
async def manager_post(request: Request, hire_id: str) -> Response:
    """Make the colleague chosen the leidinggevende, told today."""
    form = await read_form(request, f"leidinggevende:{hire_id}")
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_hand_over, request, hire_id, "leidinggevende", form)
