"""A P&O adviser adds one new colleague with a form (issue 21, item 3): `/medewerkers/nieuw`.

The form's values go through the hires import's own checks as one row (`plan_hires`), so its
errors are the CSV import's, named per field in Dutch; a valid hire is created as `poflow
import hires` creates it (`apply_hires`: audited with the adviser as actor, planned by the next
dispatcher run) and the browser goes on to the hire's page."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow.auth.viewer import Viewer
from poflow.db.models import Hire, Person, PersonRole
from poflow.importer import HIRE_COLUMNS, apply_hires, plan_hires
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import ContractType, Role
from poflow.web.workspace.frame import form_csrf, frame, read_form, render, require, runtime
from poflow.web.workspace.import_wording import column_label, dutch_reason

__all__ = ["FIELDS", "router"]

router = APIRouter()
PATH = "/medewerkers/nieuw"
PURPOSE = "nieuwe-medewerker"
FIELDS = tuple(c for c in HIRE_COLUMNS if c != "municipality")  # the adviser's own municipality


def _form_page(
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    with runtime(request).factory() as db:
        people = _people(db, viewer.municipality)
        if not values.get("hire_id"):
            values = {**values, "hire_id": _next_hire_id(db, today())}
    context = {
        **frame(request, viewer, PATH),
        "csrf": form_csrf(request, PURPOSE),
        "values": values,
        "errors": errors,
        "labels": {c: column_label(c) for c in FIELDS},
        "managers": [p for p in people if "leidinggevende" in p["roles"]],
        "people": people,
        "contracts": [c.value for c in ContractType],
    }
    return render(request, "werkplek/nieuwe_medewerker.html", context, status)


@router.get(PATH)
def new_hire_form(request: Request) -> Response:
    """The empty form, with a suggested number for the new colleague."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return _form_page(request, viewer, {}, {})


@router.post(PATH)
async def new_hire_post(request: Request) -> Response:
    """Create the hire when the import's checks accept the row; else the form with its errors."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, PURPOSE)
    if isinstance(form, Response):
        return form
    values = {c: form.one(c) for c in FIELDS}
    errors = await run_in_threadpool(_create, request, viewer, values)
    if errors:
        return await run_in_threadpool(_form_page, request, viewer, values, errors, 400)
    return RedirectResponse(f"/medewerkers/{values['hire_id']}", status_code=303)


def _create(request: Request, viewer: Viewer, values: dict[str, str]) -> dict[str, str]:
    """Import the form's row as the adviser; the Dutch error per field when it is refused."""
    rt = runtime(request)
    configs = {viewer.municipality: rt.config(viewer.municipality)}
    row = {**values, "municipality": viewer.municipality}
    with rt.factory() as db, db.begin():
        plan = plan_hires(db, [row], configs, source="formulier", today=today())
        if plan.problems:
            errors: dict[str, str] = {}
            for problem in plan.rows[0].problems:
                text = f"{column_label(problem.column)}: {dutch_reason(problem.why)}"
                errors.setdefault(problem.column, text)
            return errors
        apply_hires(db, plan, configs, actor=viewer.person_id)
    return {}


def _people(db: Session, municipality: str) -> list[dict[str, Any]]:
    """Every staff member of the municipality (id, name, roles), by name: the choices of the
    manager and buddy fields."""
    persons = db.scalars(
        select(Person)
        .where(Person.municipality == municipality)
        .order_by(Person.family_name, Person.given_name, Person.id)
    ).all()
    roles: dict[str, set[str]] = {}
    for pid, role in db.execute(
        select(PersonRole.person_id, PersonRole.role).where(PersonRole.municipality == municipality)
    ):
        roles.setdefault(pid, set()).add(role)
    return [{"id": p.id, "name": p.full_name, "roles": roles.get(p.id, set())} for p in persons]


_NUMBERED = re.compile(r"^NH-(\d{4})-(\d{1,6})$")


def _next_hire_id(db: Session, day: date) -> str:
    """A free number for a new colleague: NH-<year>-<next of that year>."""
    prefix = f"NH-{day.year}-"
    taken = db.scalars(select(Hire.id).where(Hire.id.startswith(prefix))).all()
    numbers = [int(m.group(2)) for m in map(_NUMBERED.match, taken) if m]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"
