"""A hire's details corrected by P&O (issue 21, item 2 and item 8): `/medewerkers/{id}/gegevens`.

What a new colleague corrects on the page before day one reaches P&O by mail; this is where
P&O applies it. The hire's row, with the corrected names and addresses, goes through the hires
import's own checks and update (`plan_hires`, `apply_hires`), as a corrected row in a file would:
the errors per field in Dutch, the change audited with the adviser as actor and the fields
changed by name only (X-3). The start date, the leidinggevende and the buddy have their own
actions (a move, a handover), which tell the people concerned.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from poflow.auth.viewer import Viewer
from poflow.db.models import Hire
from poflow.importer import apply_hires, plan_hires
from poflow.kernel.calendar import today
from poflow.states import HireState
from poflow.web.workspace import hire_common as common
from poflow.web.workspace.frame import Form, form_csrf, message, read_form, render, runtime
from poflow.web.workspace.import_wording import column_label, dutch_reason

__all__ = ["DETAILS_PATH", "FIELDS", "router"]

router = APIRouter()
DETAILS_PATH = "/medewerkers/{hire_id}/gegevens"
FIELDS = ("given_name", "family_name", "private_email", "work_email")


def _row(hire: Hire, values: dict[str, str]) -> dict[str, str]:
    """The hire as one row of a hires file, with `values` in place of its own."""
    return {
        "hire_id": hire.id,
        "given_name": hire.given_name,
        "family_name": hire.family_name,
        "private_email": hire.private_email,
        "work_email": hire.work_email,
        "team": hire.team,
        "function": hire.function,
        "manager_id": hire.manager_id,
        "buddy_id": hire.buddy_id or "",
        "contract_type": hire.contract_type,
        "contract_months": "" if hire.contract_months is None else str(hire.contract_months),
        "start_date": hire.start_date.isoformat(),
        "municipality": hire.municipality,
        **values,
    }


def _page(
    request: Request,
    viewer: Viewer,
    hire: Hire,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        **common.hire_context(request, viewer, hire),
        "csrf": form_csrf(request, f"gegevens:{hire.id}"),
        "values": values or {name: getattr(hire, name) for name in FIELDS},
        "errors": errors or {},
        "labels": {name: column_label(name) for name in FIELDS},
    }
    return render(request, "werkplek/gegevens.html", context, status)


@router.get(DETAILS_PATH, response_class=HTMLResponse)
def details_form(request: Request, hire_id: str) -> Response:
    """The form, filled in with the details poflow holds."""
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    return _page(request, viewer, hire)


@router.post(DETAILS_PATH, response_class=HTMLResponse)
async def details_post(request: Request, hire_id: str) -> Response:
    """Apply the corrected details as a corrected row of a hires import would."""
    form = await read_form(request, f"gegevens:{hire_id}")
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_correct, request, hire_id, form)


def _correct(request: Request, hire_id: str, form: Form) -> Response:
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    if hire.state != HireState.PLANNED:
        return message(
            request, viewer, "Niet gewijzigd", "Deze indiensttreding loopt niet (meer).", 409
        )
    values = {name: form.one(name).strip() for name in FIELDS}
    rt = runtime(request)
    configs = {hire.municipality: rt.config(hire.municipality)}
    errors: dict[str, Any] = {}
    with rt.factory() as db, db.begin():
        plan = plan_hires(db, [_row(hire, values)], configs, source="formulier", today=today())
        for problem in plan.rows[0].problems:
            text = f"{column_label(problem.column)}: {dutch_reason(problem.why)}"
            errors.setdefault(problem.column, text)
        if not errors:
            apply_hires(db, plan, configs, actor=viewer.person_id)
    if errors:
        return _page(request, viewer, hire, values, errors, 422)
    return common.done(hire.id, "gegevens" if plan.rows[0].fields else "ongewijzigd")
