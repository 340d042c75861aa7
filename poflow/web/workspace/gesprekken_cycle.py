"""One employee's conversation cycle in the workspace (issue 21, item 6), for P&O:
`/gesprekken/{some_id}` shows what `poflow cycle show` prints, with the forms of `poflow cycle
start|update` and `poflow appraisal extra|decide`. Each form calls the same domain function as
the command (start_case_cycle GES-1, update_cycle_facts GES-4, plan_extra_appraisal and
record_legal_decision GES-5), in the viewer's municipality, audited as the logged-in adviser
(X-4); a refusal of the domain is said in Dutch and changes nothing (a refused decision is
audited, as on the command line)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import NotFound
from poflow.auth.viewer import Viewer
from poflow.conversations.case import Case, find_case, find_cycle
from poflow.engine import Context
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.web.workspace.cycle_forms import DONE, LABELS, FormProblem, decide, extra, scale, start
from poflow.web.workspace.cycle_model import case_name, cycle_details, leidinggevenden
from poflow.web.workspace.frame import Form, form_csrf, frame, read_form, render, require, runtime

__all__ = ["router"]

router = APIRouter()
PAGE = "/gesprekken"


def _own_case(session: Session, viewer: Viewer, some_id: str) -> Case:
    """The case when it is of the viewer's municipality; 404 as an unknown one otherwise."""
    try:
        case = find_case(session, some_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    if case.municipality != viewer.municipality:
        raise HTTPException(status_code=404)
    return case


def _page(
    request: Request,
    viewer: Viewer,
    some_id: str,
    *,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with runtime(request).factory() as session:
        case = _own_case(session, viewer, some_id)
        cycle = find_cycle(session, case.case_type, case.case_id)
        context = {
            **frame(request, viewer, PAGE),
            **cycle_details(session, case, cycle, today()),
            "naam": case_name(session, case),
            "id": case.case_id,
            "heeft_cyclus": cycle is not None,
            "leidinggevenden": [
                ("", "kies een leidinggevende"),
                *leidinggevenden(session, viewer.municipality),
            ],
            "bekende_leidinggevende": case.manager_id,
        }
    values = {k: v[0] for k, v in form.fields.items() if v} if form else {}
    if form is None and case.manager_id:
        values["start_leidinggevende"] = case.manager_id
    context |= {
        "csrf": form_csrf(request, f"gesprekken:{case.case_id}"),
        "labels": LABELS,
        "values": values,
        "errors": errors or {},
        "gedaan": DONE.get(request.query_params.get("gedaan", "")) if form is None else None,
    }
    return render(request, "werkplek/gesprekken_medewerker.html", context, status)


@router.get(PAGE + "/medewerker", response_class=HTMLResponse)
def open_employee(request: Request) -> Response:
    """The "open an employee" form of /gesprekken: to that employee's cycle page."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    wanted = request.query_params.get("nummer", "").strip().upper()
    return RedirectResponse(f"{PAGE}/{wanted}" if wanted else PAGE, status_code=303)


@router.get(PAGE + "/{some_id}", response_class=HTMLResponse)
def cycle_page(request: Request, some_id: str) -> Response:
    """One employee's cycle: the talks, POP forms, appraisals, raises and decisions, and forms."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return _page(request, viewer, some_id)


async def _act(
    request: Request,
    some_id: str,
    done: str,
    act: Callable[[Context, Case, Form], None],
) -> Response:
    """Check the viewer and the form, run `act` in one transaction as the viewer, then send the
    browser to the page saying what was done, or show the form again with its errors."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, f"gesprekken:{some_id}")
    if not isinstance(form, Form):
        return form

    def run() -> str:
        rt = runtime(request)
        kept: FormProblem | None = None
        with rt.factory() as session, session.begin():
            case = _own_case(session, viewer, some_id)
            ctx = rt.context(session, viewer.municipality, today(), actor=viewer.person_id)
            try:
                act(ctx, case, form)
            except FormProblem as problem:
                if not problem.kept:
                    raise
                kept = problem  # commit what the domain audited of its refusal
        if kept is not None:
            raise kept
        return case.case_id

    try:
        case_id = await run_in_threadpool(run)
    except FormProblem as problem:
        return await run_in_threadpool(
            _page, request, viewer, some_id, form=form, errors=problem.errors, status=problem.status
        )
    return RedirectResponse(f"{PAGE}/{case_id}?gedaan={done}", status_code=303)


@router.post(PAGE + "/{some_id}/starten", response_class=HTMLResponse)
async def start_post(request: Request, some_id: str) -> Response:
    """Start the cycle on the chosen date with the chosen manager (GES-1), as `cycle start`."""
    return await _act(request, some_id, "gestart", start)


@router.post(PAGE + "/{some_id}/schaal", response_class=HTMLResponse)
async def scale_post(request: Request, some_id: str) -> Response:
    """Record the scale facts (GES-4), as `poflow cycle update`."""
    return await _act(request, some_id, "schaal", scale)


@router.post(PAGE + "/{some_id}/extra", response_class=HTMLResponse)
async def extra_post(request: Request, some_id: str) -> Response:
    """Plan an extra appraisal for a legal-status decision (GES-5), as `appraisal extra`."""
    return await _act(request, some_id, "extra", extra)


@router.post(PAGE + "/{some_id}/besluit/{decision_id}", response_class=HTMLResponse)
async def decide_post(request: Request, some_id: str, decision_id: int) -> Response:
    """Record a legal-status decision; refused while its appraisal is open (GES-5)."""

    def act(ctx: Context, case: Case, form: Form) -> None:
        decide(ctx, case, form, decision_id)

    return await _act(request, some_id, "besluit", act)
