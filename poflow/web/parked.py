"""The page of parked mail for a logged-in P&O adviser: `GET /mail/geparkeerd` lists the
municipality's parked messages, `POST /mail/geparkeerd/<id>` sends one again ("Opnieuw
versturen") through the same function as `poflow mail retry`, audited as the adviser (X-4).

The POST is protected as the logout form is: the Origin check and a CSRF value bound to the
session cookie. Only a P&O adviser (role po_adviseur) sees or sends their own municipality's
messages; P&O's notice of a parked message links here (issue 22, item 6)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import PoflowError
from poflow.auth.viewer import Viewer
from poflow.db.models import Outbox
from poflow.kernel.calendar import TIMEZONE
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import moment_nl
from poflow.mail.parking import retry_parked
from poflow.runtime import Runtime
from poflow.states import MailState
from poflow.web.guard import csrf_token, same_origin
from poflow.web.identity import SESSION_COOKIE, login_redirect, viewer_of

# The login module's page helpers: one way to render a page and to refuse a foreign POST.
from poflow.web.login import _frame, _page, _refused_request

__all__ = ["PAGE", "form_csrf", "parked_router"]

PAGE = "/mail/geparkeerd"
parked_router = APIRouter()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def form_csrf(secret: str, session_value: str) -> str:
    """The forms' CSRF value: bound to the session cookie (as the logout form's)."""
    bound = hashlib.sha256(session_value.encode()).hexdigest()[:32]
    return csrf_token(secret, f"geparkeerd:{bound}", "-")


def _csrf(request: Request, session_value: str) -> str:
    return form_csrf(_runtime(request).settings.secret_key.get_secret_value(), session_value)


def _not_po(request: Request, viewer: Viewer) -> HTMLResponse:
    context = {
        **_frame(request, viewer.municipality),
        "title": "Alleen voor P&O-adviseurs",
        "message": "Deze pagina is voor de P&O-adviseurs van je gemeente. Er is niets gewijzigd.",
        "ok": False,
    }
    return _page(request, "result.html", context, 403)


def _rows(request: Request, municipality: str) -> list[dict[str, Any]]:
    zone = ZoneInfo(TIMEZONE)
    with _runtime(request).factory() as db:
        found = db.scalars(
            select(Outbox)
            .where(Outbox.state == MailState.PARKED, Outbox.municipality == municipality)
            .order_by(Outbox.id)
        ).all()
        return [
            {
                "id": r.id,
                "naam": r.recipient_name or "(geen naam)",
                "onderwerp": r.subject,
                "reden": r.last_error or "",
                "pogingen": r.attempts,
                "wanneer": moment_nl(r.created_at.astimezone(zone)),
            }
            for r in found
        ]


@parked_router.get(PAGE, response_class=HTMLResponse)
def parked_page(request: Request) -> Response:
    """The municipality's parked messages, each with an "Opnieuw versturen" button."""
    viewer = viewer_of(request)
    value = request.cookies.get(SESSION_COOKIE)
    if viewer is None or value is None:
        return login_redirect(request)
    if Role.PO_ADVISEUR.value not in viewer.roles:
        return _not_po(request, viewer)
    sent = request.query_params.get("verstuurd", "")
    context = {
        **_frame(request, viewer.municipality),
        "berichten": _rows(request, viewer.municipality),
        "csrf": _csrf(request, value),
        "verstuurd": sent if sent.isdigit() else None,
        "fout": None,
    }
    return _page(request, "geparkeerd.html", context)


@parked_router.post(PAGE + "/{outbox_id}", response_class=HTMLResponse)
async def retry_post(request: Request, outbox_id: int) -> Response:
    """Send one parked message again (optionally to a corrected address), as the adviser."""
    runtime = _runtime(request)
    base_url = runtime.settings.resolved_base_url()
    headers = request.headers
    if same_origin(base_url, headers.get("origin"), headers.get("referer")) is False:
        return _refused_request(request, "origin")
    viewer = await run_in_threadpool(viewer_of, request)
    value = request.cookies.get(SESSION_COOKIE)
    if viewer is None or value is None:
        return login_redirect(request)
    form = await request.form()
    if not hmac.compare_digest(_csrf(request, value), str(form.get("csrf") or "")):
        return _refused_request(request, "csrf")
    if Role.PO_ADVISEUR.value not in viewer.roles:
        return _not_po(request, viewer)
    address = str(form.get("adres") or "").strip() or None

    def retry() -> str | None:
        with runtime.factory() as db:
            row = db.get(Outbox, outbox_id)
            if row is None or row.municipality != viewer.municipality:
                return "Dit bericht is niet (meer) geparkeerd bij jouw gemeente."
            try:
                retry_parked(
                    db,
                    outbox_id,
                    actor=viewer.person_id,
                    smtputf8=runtime.settings.smtputf8,
                    to=address,
                )
            except PoflowError as exc:
                db.rollback()
                return f"Opnieuw versturen lukte niet: {exc}"
            db.commit()
        return None

    problem = await run_in_threadpool(retry)
    if problem is None:
        return RedirectResponse(f"{PAGE}?verstuurd={outbox_id}", status_code=303)
    context = {
        **_frame(request, viewer.municipality),
        "berichten": await run_in_threadpool(_rows, request, viewer.municipality),
        "csrf": _csrf(request, value),
        "verstuurd": None,
        "fout": problem,
    }
    return _page(request, "geparkeerd.html", context, 409)
