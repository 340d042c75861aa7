"""P&O records a check-in as held on behalf of the leidinggevende (CHK-3): the page
`/checkins/{hire_id}/{month}/namens`.

Only a logged-in P&O adviser of the hire's municipality (else 403; without a session the login
page and back), with a reason (required, at most 1000 characters; else 422), and not before the
talk's date (else 409). The form is protected as the login form is: a CSRF value bound to a
cookie of this page and the Origin check. The recording is audited as `checkin.held` by the
adviser, on behalf of the leidinggevende, with the reason (X-4); a refusal as `checkin.refused`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow import audit
from poflow._exceptions import CheckinRefused, NotFound
from poflow.auth.viewer import Viewer
from poflow.checkins.links import held_talk, record_held_on_behalf
from poflow.checkins.rules import MAX_REASON_LENGTH
from poflow.db.models import Person
from poflow.engine import TZ, Context
from poflow.hires.services import get_hire
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl, moment_nl, months_phrase
from poflow.runtime import Runtime
from poflow.states import StepState
from poflow.web.guard import csrf_token, csrf_valid, new_nonce, same_origin
from poflow.web.identity import login_redirect, viewer_of
from poflow.web.refusals import source_of, tally_refusal

__all__ = ["BEHALF_CSRF_COOKIE", "behalf_router"]

behalf_router = APIRouter()
BEHALF_CSRF_COOKIE = "poflow_namens_csrf"
PATH = "/checkins/{hire_id}/{month}/namens"


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _frame(request: Request, municipality: str | None) -> dict[str, Any]:
    cfg = _runtime(request).configs.get(municipality or "")
    if cfg is None:
        return {"gemeente": "Personeel & Organisatie", "po_mailbox": None}
    return {"gemeente": cfg.name, "po_mailbox": str(cfg.municipality.po_mailbox)}


def _render(request: Request, template: str, context: dict[str, Any], status: int) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    return HTMLResponse(env.get_template(f"web/{template}").render(context), status_code=status)


def _message(
    request: Request, municipality: str | None, title: str, text: str, status: int, ok: bool = False
) -> HTMLResponse:
    context = {**_frame(request, municipality), "title": title, "message": text, "ok": ok}
    return _render(request, "result.html", context, status)


def _purpose(hire_id: str, month: int) -> str:
    return f"namens:{hire_id}:{month}"


def _may(viewer: Viewer, municipality: str) -> bool:
    return viewer.municipality == municipality and Role.PO_ADVISEUR in viewer.roles


def _talk(request: Request, hire_id: str, month: int) -> dict[str, Any] | None:
    """What the page shows of the talk (None when the hire has no such check-in)."""
    runtime = _runtime(request)
    with runtime.factory() as db:
        try:
            hire, step = held_talk(_context(runtime, db, hire_id), hire_id, month)
        except NotFound:
            return None
        manager = db.get(Person, hire.manager_id)
        when = step.starts_at.astimezone(TZ) if step.starts_at is not None else None
        return {
            "municipality": hire.municipality,
            "medewerker": hire.full_name,
            "leidinggevende": manager.full_name if manager is not None else hire.manager_id,
            "maand": month,
            "periode": months_phrase(month),
            "datum": date_nl(step.due_date) + (f" om {when:%H:%M}" if when else ""),
            "open": step.state == StepState.OPEN,
        }


def _context(runtime: Runtime, db: Session, hire_id: str, actor: str = "web") -> Context:
    return runtime.context(db, get_hire(db, hire_id).municipality, today(), actor=actor)


def _form(
    request: Request,
    talk: dict[str, Any],
    *,
    hire_id: str,
    month: int,
    nonce: str,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    secret = _runtime(request).settings.signing_keys()[0]
    context = {
        **_frame(request, talk["municipality"]),
        "talk": talk,
        "csrf": csrf_token(secret, _purpose(hire_id, month), nonce),
        "reden": reason,
        "max_length": MAX_REASON_LENGTH,
        "errors": errors or {},
    }
    response = _render(request, "namens.html", context, status)
    response.set_cookie(
        BEHALF_CSRF_COOKIE,
        nonce,
        max_age=3600,
        path=PATH.format(hire_id=hire_id, month=month),
        httponly=True,
        samesite="strict",
        secure=_runtime(request).settings.resolved_base_url().startswith("https://"),
    )
    return response


def _not_po(request: Request, municipality: str) -> HTMLResponse:
    return _message(
        request,
        municipality,
        "Dit kan alleen P&O",
        "Alleen een P&O-adviseur van de gemeente van de nieuwe medewerker legt een gesprek vast "
        "namens de leidinggevende. Er is niets gewijzigd.",
        403,
    )


def _unknown(request: Request) -> HTMLResponse:
    return _message(request, None, "Gesprek niet gevonden", "Dit gesprek is niet bekend.", 404)


def _refused_request(request: Request, reason: str) -> HTMLResponse:
    """A POST from another site, or without its CSRF value: counted and audited as a refused
    link is (poflow/web/refusals.py); nothing else changes."""
    runtime = _runtime(request)
    secret = runtime.settings.signing_keys()[0]
    source = source_of(secret, request.client.host if request.client else None)
    with runtime.factory() as db:
        tally_refusal(
            db, source=source, reason=reason, method="POST", row=None, token=request.url.path
        )
        db.commit()
    return _message(
        request,
        None,
        "Dit verzoek kwam niet van poflow",
        "Je verzoek kwam niet van de pagina van poflow zelf. Voor je veiligheid is er niets "
        "gedaan. Open de pagina opnieuw en probeer het nog eens.",
        403,
    )


@behalf_router.get(PATH, response_class=HTMLResponse)
def behalf_page(request: Request, hire_id: str, month: int) -> Response:
    """The form: why P&O records this talk on behalf of the leidinggevende."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_redirect(request)
    talk = _talk(request, hire_id, month)
    if talk is None:
        return _unknown(request)
    if not _may(viewer, talk["municipality"]):
        return _not_po(request, talk["municipality"])
    nonce = request.cookies.get(BEHALF_CSRF_COOKIE) or new_nonce()
    return _form(request, talk, hire_id=hire_id, month=month, nonce=nonce)


@behalf_router.post(PATH, response_class=HTMLResponse)
async def behalf_post(request: Request, hire_id: str, month: int) -> Response:
    """Check origin, CSRF, login, role and reason; then record the talk on behalf (CHK-3)."""
    settings = _runtime(request).settings
    sent = (request.headers.get("origin"), request.headers.get("referer"))
    if same_origin(settings.resolved_base_url(), *sent) is False:
        return await run_in_threadpool(_refused_request, request, "origin")
    form = await request.form()
    posted = {key: str(form.get(key) or "") for key in ("csrf", "reden")}
    nonce = request.cookies.get(BEHALF_CSRF_COOKIE)
    keys = settings.signing_keys()
    if nonce is None or not csrf_valid(keys, _purpose(hire_id, month), nonce, posted["csrf"]):
        return await run_in_threadpool(_refused_request, request, "csrf")
    return await run_in_threadpool(_record, request, hire_id, month, posted["reden"], nonce)


def _record(request: Request, hire_id: str, month: int, reason: str, nonce: str) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return login_redirect(request)
    talk = _talk(request, hire_id, month)
    if talk is None:
        return _unknown(request)
    if not _may(viewer, talk["municipality"]):
        _audit_refusal(request, viewer, hire_id, month, "not_po")
        return _not_po(request, talk["municipality"])
    problem = None
    if not reason.strip():
        problem = "Vul de reden in waarom je dit namens de leidinggevende vastlegt."
    elif len(reason) > MAX_REASON_LENGTH:
        problem = f"De reden is langer dan {MAX_REASON_LENGTH} tekens ({len(reason)})."
    if problem is not None:
        return _form(
            request,
            talk,
            hire_id=hire_id,
            month=month,
            nonce=nonce,
            reason=reason[:MAX_REASON_LENGTH],
            errors={"reden": problem},
            status=422,
        )
    runtime = _runtime(request)
    with runtime.factory() as db:
        ctx = _context(runtime, db, hire_id, actor=viewer.person_id)
        try:
            record_held_on_behalf(
                ctx,
                hire_id,
                month,
                by=viewer.person_id,
                roles=viewer.roles,
                municipality=viewer.municipality,
                reason=reason,
            )
        except CheckinRefused as exc:
            db.rollback()
            _audit_refusal(request, viewer, hire_id, month, type(exc).__name__)
            return _message(request, talk["municipality"], "Niet gelukt", str(exc), 409)
        db.commit()
    return _message(
        request,
        talk["municipality"],
        "Vastgelegd",
        f"Vastgelegd door {viewer.name} namens {talk['leidinggevende']} op "
        f"{moment_nl(datetime.now(TZ))}: het bijpraatmoment na {talk['periode']} met "
        f"{talk['medewerker']} is gehouden. De reden is bewaard in het auditlog.",
        200,
        ok=True,
    )


def _audit_refusal(request: Request, viewer: Viewer, hire_id: str, month: int, why: str) -> None:
    with _runtime(request).factory() as db:
        audit.record(
            db,
            actor=viewer.person_id,
            action="checkin.refused",
            entity_type="hire",
            entity_id=hire_id,
            municipality=viewer.municipality,
            month=month,
            on_behalf=True,
            reason=why,
        )
        db.commit()
