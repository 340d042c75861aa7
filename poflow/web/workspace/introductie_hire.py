"""A hire's introduction programme in the workspace (issue 21, item 6), for P&O:
`/introductie/medewerker/{hire_id}` shows the portfolio as `poflow portfolio` does (INT-4), with
the forms of `poflow intro enrol` (INT-1, a secondary-group hire), `intro role-item` (INT-5) and
`intro done` (the e-learning import of /introductie says its problems with `upload_problems`).
Each calls the same domain function as the
command, in the viewer's municipality, audited as the logged-in adviser (X-4); a refusal of the
domain is said in Dutch and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import ClosingRefused, EnrolmentRefused, NotFound
from poflow.auth.viewer import Viewer
from poflow.db.models import Hire, Step
from poflow.engine import Context
from poflow.introduction.config import section
from poflow.introduction.kinds import PROCESS, item_of_step
from poflow.introduction.models import enrolment_of
from poflow.introduction.planner import enrol
from poflow.introduction.portfolio import portfolio
from poflow.introduction.steps import add_role_item, complete_item
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import CaseType, Role
from poflow.states import StepState
from poflow.web.workspace.frame import Form, form_csrf, frame, read_form, render, require, runtime
from poflow.web.workspace.import_wording import column_label, dutch_reason

__all__ = ["router", "upload_problems"]

router = APIRouter()
PAGE = "/introductie"
HIRE_PAGE = PAGE + "/medewerker/{hire_id}"
LABELS = {
    "variant": "Variant van het programma",
    "titel": "Wat is afgesproken",
    "deadline": "Uiterlijk klaar op",
    "onderdeel": "Onderdeel",
}
DONE = {
    "aangemeld": "De nieuwe medewerker doet mee aan het introductieprogramma.",
    "rolpunt": "Het punt is toegevoegd; de nieuwe medewerker krijgt er een mail over.",
    "afgerond": "Het onderdeel is afgerond.",
}
_ENROL_NL = (  # the enrolment's refusal (EnrolmentRefused) in Dutch, by what it says
    ("switched off", "het introductieprogramma staat in deze gemeente uit."),
    ("the hire is", "deze nieuwe medewerker is niet meer gepland (geannuleerd of al gestart)."),
    ("is excluded", "dit soort contract (college van B&W, gemeenteraad) doet niet mee."),
    ("neither its leidinggevende", "alleen de leidinggevende of P&O mag aanmelden."),
    ("no variant", "deze variant bestaat niet."),
)
_COMPLETION_NL = tuple(  # the completion import's own problems in Dutch (the rest: import_wording)
    (re.compile(p), d)
    for p, d in (
        (r"^no hire '(.+)' in (.+)$", r"\1 is geen nieuwe medewerker van deze gemeente."),
        (
            r"^'(.+)' is not an e-learning module \(expected one of (.+)\)$",
            r"\1 is geen e-learning; kies uit: \2.",
        ),
        (
            r"^hire (\S+) has no e-learning '(.+)' in their programme$",
            r"\1 heeft geen e-learning \2 in het programma.",
        ),
        (r"^'(.+)' is not a date .*$", r"\1 is geen datum; schrijf bijvoorbeeld 2027-03-01."),
        (r"^(\S+) is in the future$", r"\1 ligt in de toekomst."),
    )
)
_PROBLEM = re.compile(r"^row (\d+), column '(\w+)': (.*)$")


class FormProblem(Exception):
    """The form's errors per field, in Dutch (nothing was changed)."""

    def __init__(self, errors: dict[str, str], status: int = 422) -> None:
        self.errors, self.status = errors, status
        super().__init__("; ".join(errors.values()))


def upload_problems(problems: list[str]) -> list[str]:
    """The import's problems in Dutch, each naming the row and the column."""
    out = []
    for problem in problems:
        found = _PROBLEM.match(problem)
        if not found:
            out.append(dutch_reason(problem))
            continue
        row, column, why = found.groups()
        said = next((p.sub(d, why) for p, d in _COMPLETION_NL if p.match(why)), dutch_reason(why))
        label = column_label(column)
        named = label if label == column else f"{label} ({column})"
        out.append(f"Rij {row}, kolom {named}: {said}")
    return out


def _own_hire(session: Session, viewer: Viewer, hire_id: str) -> Hire:
    """The hire when it is of the viewer's municipality; 404 as an unknown one otherwise."""
    hire = session.get(Hire, hire_id)
    if hire is None or hire.municipality != viewer.municipality:
        raise HTTPException(status_code=404)
    return hire


def _open_items(session: Session, hire_id: str) -> list[tuple[str, str]]:
    """The open items of the hire's own line as (item as `intro done` names it, title)."""
    steps = session.scalars(
        select(Step)
        .where(
            Step.case_type == CaseType.HIRE,
            Step.case_id == hire_id,
            Step.process == PROCESS,
            Step.state == StepState.OPEN,
        )
        .order_by(Step.due_date, Step.id)
    )
    return [(item_of_step(s.key) or s.key.removeprefix(f"{PROCESS}:"), s.title) for s in steps]


def _page(
    request: Request,
    viewer: Viewer,
    hire_id: str,
    *,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    rt = runtime(request)
    with rt.factory() as session:
        hire = _own_hire(session, viewer, hire_id)
        ctx = rt.context(session, viewer.municipality, today(), actor=viewer.person_id)
        folio = portfolio(ctx, hire)
        enrolled = enrolment_of(session, hire.id)
        context: dict[str, Any] = {
            **frame(request, viewer, PAGE),
            "hire": {"id": hire.id, "naam": hire.full_name, "team": hire.team},
            "contract": hire.contract_type,
            "stand": folio.status,
            "variant": folio.variant,
            "regels": folio.lines,
            "aangemeld": enrolled is not None,
            "varianten": [("", "de gewone variant voor deze groep")]
            + [(v, v) for v in section(rt.config(viewer.municipality)).variants],
            "onderdelen": [("", "kies een onderdeel"), *_open_items(session, hire.id)],
        }
    context |= {
        "csrf": form_csrf(request, f"introductie:medewerker:{hire_id}"),
        "labels": LABELS,
        "values": {k: v[0] for k, v in form.fields.items() if v} if form else {},
        "errors": errors or {},
        "autocomplete": "",
        "gedaan": DONE.get(request.query_params.get("gedaan", "")) if form is None else None,
    }
    return render(request, "werkplek/introductie_medewerker.html", context, status)


@router.get(PAGE + "/medewerker", response_class=HTMLResponse)
def open_hire(request: Request) -> Response:
    """The "open a new colleague" form of /introductie: to that hire's programme."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    wanted = request.query_params.get("nummer", "").strip().upper()
    return RedirectResponse(HIRE_PAGE.format(hire_id=wanted) if wanted else PAGE, 303)


@router.get(HIRE_PAGE, response_class=HTMLResponse)
def hire_page(request: Request, hire_id: str) -> Response:
    """The hire's portfolio: each item, its status and certificate, and the forms."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return _page(request, viewer, hire_id)


def _enrol(ctx: Context, hire: Hire, form: Form) -> None:
    try:
        enrol(ctx, hire.id, by=ctx.actor, variant=form.one("variant") or None)
    except EnrolmentRefused as exc:
        why = next((d for k, d in _ENROL_NL if k in str(exc)), "dit is niet toegestaan.")
        raise FormProblem({"variant": f"Aanmelden kan niet: {why}"}, 409) from None


def _role_item(ctx: Context, hire: Hire, form: Form) -> None:
    errors: dict[str, str] = {}
    title, due_text = form.one("titel"), form.one("deadline")
    if not title:
        errors["titel"] = f"{LABELS['titel']}: vul in wat is afgesproken."
    elif len(title) > 200:
        errors["titel"] = f"{LABELS['titel']}: maximaal 200 tekens."
    try:
        due = date.fromisoformat(due_text)
    except ValueError:
        errors["deadline"] = f"{LABELS['deadline']}: vul een datum in, bijvoorbeeld 2027-03-01."
    if errors:
        raise FormProblem(errors)
    try:
        add_role_item(ctx, hire.id, title=title, due=due, by=ctx.actor)
    except NotFound:
        raise FormProblem({"titel": "Meld de nieuwe medewerker eerst aan."}, 409) from None


def _item_done(ctx: Context, hire: Hire, form: Form) -> None:
    item = form.one("onderdeel")
    if not item:
        raise FormProblem({"onderdeel": f"{LABELS['onderdeel']}: kies wat is afgerond."})
    try:
        complete_item(ctx, hire.id, item, by=ctx.actor, source="werkplek")
    except NotFound:
        raise FormProblem({"onderdeel": "Dit onderdeel hoort niet bij het programma."}) from None
    except ClosingRefused as exc:  # its message is Dutch (INT-5)
        raise FormProblem({"onderdeel": str(exc)}, 409) from None


async def _act(
    request: Request, hire_id: str, done: str, act: Callable[[Context, Hire, Form], None]
) -> Response:
    """Check the viewer and the form, run `act` in one transaction as the viewer, then send the
    browser to the page saying what was done, or show the form again with its errors."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, f"introductie:medewerker:{hire_id}")
    if not isinstance(form, Form):
        return form

    def run() -> None:
        rt = runtime(request)
        with rt.factory() as session, session.begin():
            hire = _own_hire(session, viewer, hire_id)
            act(
                rt.context(session, viewer.municipality, today(), actor=viewer.person_id),
                hire,
                form,
            )

    try:
        await run_in_threadpool(run)
    except FormProblem as problem:
        return await run_in_threadpool(
            _page, request, viewer, hire_id, form=form, errors=problem.errors, status=problem.status
        )
    return RedirectResponse(f"{HIRE_PAGE.format(hire_id=hire_id)}?gedaan={done}", 303)


@router.post(HIRE_PAGE + "/aanmelden", response_class=HTMLResponse)
async def enrol_post(request: Request, hire_id: str) -> Response:
    """Enrol a secondary-group hire (INT-1), as `poflow intro enrol`."""
    return await _act(request, hire_id, "aangemeld", _enrol)


@router.post(HIRE_PAGE + "/rolpunt", response_class=HTMLResponse)
async def role_item_post(request: Request, hire_id: str) -> Response:
    """Add a role-specific item (INT-5), as `poflow intro role-item`."""
    return await _act(request, hire_id, "rolpunt", _role_item)


@router.post(HIRE_PAGE + "/afgerond", response_class=HTMLResponse)
async def done_post(request: Request, hire_id: str) -> Response:
    """Record an item of the own line done, as `poflow intro done`."""
    return await _act(request, hire_id, "afgerond", _item_done)
