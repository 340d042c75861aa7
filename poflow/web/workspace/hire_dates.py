"""A hire's start date moved, or the hire cancelled, by a P&O adviser (issue 21, WS-ACTIONS;
ONB-5): `/medewerkers/{hire_id}/verplaatsen` and `/medewerkers/{hire_id}/annuleren`.

Both first show what would change, computed by a dry run of the very function that changes it
(`poflow.hires.preview.dry_run` around `move_hire` / `cancel_hire`); the confirming POST runs
that function, audited as the adviser, and today's dispatcher pass for the municipality, as
`poflow hire move|cancel` does: the notices and calendar updates go out the same day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import IllegalTransition, StartDateRefused
from poflow.auth.viewer import Viewer
from poflow.db.models import Hire
from poflow.hires.preview import Preview, dry_run
from poflow.hires.services import cancel_hire, move_hire
from poflow.kernel.calendar import today
from poflow.kernel.dates import parse_date
from poflow.kernel.wording import date_nl
from poflow.onboarding.handover_rules import MAX_REASON_LENGTH, reason_problem
from poflow.web.workspace import hire_common as common
from poflow.web.workspace.frame import Form, form_csrf, message, read_form, render, runtime

__all__ = ["router"]

router = APIRouter()
MOVE, CANCEL = "/medewerkers/{hire_id}/verplaatsen", "/medewerkers/{hire_id}/annuleren"
_NOT_RUNNING = "Deze indiensttreding loopt niet (meer): er is niets gewijzigd."


class _Moved:
    """`move_hire` with the adviser's date and allowances: for the dry run and for real."""

    def __init__(self, request: Request, hire: Hire, new: date, form: Form, actor: str) -> None:
        self.config = runtime(request).config(hire.municipality)
        self.hire_id, self.new, self.actor = hire.id, new, actor
        self.allow_non_working_day = bool(form.one("vrije_dag"))
        self.allow_past = bool(form.one("verleden"))

    def __call__(self, db: Session) -> Hire:
        return move_hire(
            db,
            self.config,
            self.hire_id,
            self.new,
            actor=self.actor,
            today=today(),
            allow_non_working_day=self.allow_non_working_day,
            allow_past=self.allow_past,
        )


def _cancelled(hire_id: str, actor: str, reason: str) -> Callable[[Session], Hire]:
    def change(db: Session) -> Hire:
        return cancel_hire(db, hire_id, actor=actor, today=today(), reason=reason)

    return change


def _preview(request: Request, hire: Hire, change: Callable[[Session], object]) -> Preview:
    rt = runtime(request)
    with rt.factory() as db:
        return dry_run(
            db,
            rt.registry,
            rt.config(hire.municipality),
            rt.settings,
            hire.id,
            change,
            day=today(),
        )


def _new_date(request: Request, hire: Hire, text: str, form: Form) -> tuple[date | None, str]:
    """The new date, or in Dutch why not: the refusals of `poflow hire move` (kernel.dates)."""
    if not text:
        return None, "Vul de nieuwe startdatum in, bijvoorbeeld 1-4-2027."
    try:
        new = parse_date(text)
    except ValueError:
        return None, f"‘{text}’ is geen datum. Schrijf hem als 1-4-2027 of 2027-04-01."
    cal = runtime(request).config(hire.municipality).calendar
    day = today()
    if new < day and not form.one("verleden"):
        return None, (
            f"{date_nl(new)} ligt in het verleden (vandaag is {date_nl(day)}). Kies een latere "
            "datum, of vink aan dat een datum in het verleden de bedoeling is."
        )
    if not cal.is_working_day(new) and not form.one("vrije_dag"):
        why = cal.holiday_name(new) or ("een zaterdag", "een zondag")[new.weekday() - 5]
        return None, (
            f"{date_nl(new)} is geen werkdag ({why}). Kies een werkdag, of vink aan dat een "
            "dag die niet gewerkt wordt de bedoeling is."
        )
    return new, ""


def _move_page(
    request: Request,
    viewer: Viewer,
    hire: Hire,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    preview: Preview | None = None,
    new: date | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        **common.hire_context(request, viewer, hire),
        "csrf": form_csrf(request, f"verplaatsen:{hire.id}"),
        "nieuwe_datum": date_nl(new) if new is not None else "",
        "waarden": values or {},
        "errors": errors or {},
        "preview": common.preview_rows(preview) if preview is not None else None,
    }
    return render(request, "werkplek/verplaatsen.html", context, status)


@router.get(MOVE, response_class=HTMLResponse)
def move_form(request: Request, hire_id: str) -> Response:
    """The form: the new start date (and the explicit allowances of `poflow hire move`)."""
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    if not common.hire_context(request, viewer, hire)["lopend"]:
        return message(request, viewer, "Niet verplaatst", _NOT_RUNNING, 409)
    return _move_page(request, viewer, hire)


@router.post(MOVE, response_class=HTMLResponse)
async def move_post(request: Request, hire_id: str) -> Response:
    """`stap=voorbeeld`: the preview of the move; `stap=bevestigen`: the move, told today."""
    form = await read_form(request, f"verplaatsen:{hire_id}")
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_move, request, hire_id, form)


def _move(request: Request, hire_id: str, form: Form) -> Response:
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    values = {k: form.one(k) for k in ("datum", "vrije_dag", "verleden")}
    new, problem = _new_date(request, hire, values["datum"], form)
    if new is None:
        return _move_page(
            request, viewer, hire, values=values, errors={"datum": problem}, status=422
        )
    change = _Moved(request, hire, new, form, viewer.person_id)
    try:
        preview = _preview(request, hire, change)
    except (StartDateRefused, IllegalTransition) as exc:
        return message(request, viewer, "Niet verplaatst", f"{_NOT_RUNNING} ({exc})", 409)
    if form.one("stap") != "bevestigen":
        return _move_page(request, viewer, hire, values=values, preview=preview, new=new)
    with runtime(request).factory() as db, db.begin():
        change(db)
    common.tell_today(request, hire.municipality)
    return common.done(hire.id, "verplaatst")


def _cancel_page(
    request: Request,
    viewer: Viewer,
    hire: Hire,
    preview: Preview,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        **common.hire_context(request, viewer, hire),
        "csrf": form_csrf(request, f"annuleren:{hire.id}"),
        "preview": common.preview_rows(preview),
        "reden": reason,
        "max_length": MAX_REASON_LENGTH,
        "errors": errors or {},
    }
    return render(request, "werkplek/annuleren.html", context, status)


@router.get(CANCEL, response_class=HTMLResponse)
def cancel_form(request: Request, hire_id: str) -> Response:
    """The confirmation: what is withdrawn, who is told, and the reason to give."""
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    try:
        preview = _preview(request, hire, _cancelled(hire.id, viewer.person_id, ""))
    except IllegalTransition:
        return message(request, viewer, "Niet geannuleerd", _NOT_RUNNING, 409)
    return _cancel_page(request, viewer, hire, preview)


@router.post(CANCEL, response_class=HTMLResponse)
async def cancel_post(request: Request, hire_id: str) -> Response:
    """Cancel the hire with the reason given; told today."""
    form = await read_form(request, f"annuleren:{hire_id}")
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_cancel, request, hire_id, form.one("reden"))


def _cancel(request: Request, hire_id: str, reason: str) -> Response:
    found = common.load(request, hire_id)
    if isinstance(found, Response):
        return found
    viewer, hire = found
    change = _cancelled(hire.id, viewer.person_id, reason)
    try:
        preview = _preview(request, hire, change)
    except IllegalTransition:
        return message(request, viewer, "Niet geannuleerd", _NOT_RUNNING, 409)
    problem = reason_problem(reason)
    if problem is not None:
        errors = {"reden": problem}
        return _cancel_page(
            request,
            viewer,
            hire,
            preview,
            reason=reason[:MAX_REASON_LENGTH],
            errors=errors,
            status=422,
        )
    with runtime(request).factory() as db, db.begin():
        change(db)
    common.tell_today(request, hire.municipality)
    return common.done(hire.id, "geannuleerd")
