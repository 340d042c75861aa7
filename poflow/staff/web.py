"""The role-grant review pages (REC-9): a second person confirms or refuses an import's approval
roles together, logged in.

`GET /rollen` lists the viewer's municipality's waiting grants by import; `GET /rollen/{batch}`
shows one import's grants with "Bevestigen" and "Weigeren"; the POST confirms or refuses the
grants shown, all together, through `poflow.staff.grants` (which refuses, and audits, a viewer
who may not: not a P&O adviser or the gemeentesecretaris, a grantee, or the requester). Without
a session every page goes through the login page and back. A POST is protected as the login
form is: the Origin check and a CSRF value, here bound to the session cookie and the batch.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import GrantRefused
from poflow.auth.viewer import Viewer
from poflow.db.base import utcnow
from poflow.runtime import Runtime
from poflow.staff.grants import confirm_grants, refuse_grants
from poflow.staff.review import Batch, batch_of, waiting_batches
from poflow.staff.rules import CONFIRMER_ROLES, confirm_refusal
from poflow.web.guard import csrf_token, same_origin
from poflow.web.identity import SESSION_COOKIE, login_redirect, viewer_of
from poflow.web.refusals import source_of, tally_refusal

__all__ = ["router"]

router = APIRouter()
BATCH_CHARS = frozenset("0123456789abcdef")  # a batch is a uuid4 in hex
DECISIONS = {"bevestigen": confirm_grants, "weigeren": refuse_grants}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    return HTMLResponse(env.get_template(f"web/{template}").render(context), status_code=status)


def _frame(request: Request, viewer: Viewer) -> dict[str, Any]:
    cfg = _runtime(request).configs.get(viewer.municipality)
    if cfg is None:
        return {"gemeente": "Personeel & Organisatie", "po_mailbox": None}
    return {"gemeente": cfg.name, "po_mailbox": str(cfg.municipality.po_mailbox)}


def _message(
    request: Request, viewer: Viewer | None, title: str, text: str, status: int, ok: bool = False
) -> HTMLResponse:
    frame = (
        _frame(request, viewer)
        if viewer is not None
        else {"gemeente": "Personeel & Organisatie", "po_mailbox": None}
    )
    context = {**frame, "title": title, "message": text, "ok": ok}
    return _page(request, "result.html", context, status)


def _csrf(request: Request, key: str, batch: str) -> str:
    """The form's CSRF value: bound to the session cookie and the batch (no second cookie)."""
    value = request.cookies.get(SESSION_COOKIE) or ""
    bound = hashlib.sha256(value.encode()).hexdigest()[:32]
    return csrf_token(key, f"rollen:{batch}:{bound}", "-")


def _csrf_ok(request: Request, batch: str, sent: str) -> bool:
    keys = _runtime(request).settings.signing_keys()
    return bool(sent) and any(hmac.compare_digest(_csrf(request, k, batch), sent) for k in keys)


def _may_confirm(viewer: Viewer) -> bool:
    return bool(viewer.roles & CONFIRMER_ROLES)


def _why_not(viewer: Viewer, batch: Batch) -> str | None:
    return confirm_refusal(
        confirmer_id=viewer.person_id,
        confirmer_roles=viewer.roles,
        municipality=batch.municipality,
        grantees=batch.grantees,
        requesters=batch.requested_by,
    )


def _no_confirmer(request: Request, viewer: Viewer) -> HTMLResponse:
    return _message(
        request,
        viewer,
        "Rollen bevestigen",
        "Alleen een P&O-adviseur of de gemeentesecretaris bevestigt of weigert een rol. Jij "
        "hebt geen van die rollen, dus je ziet hier geen aanvragen.",
        403,
    )


def _not_found(request: Request, viewer: Viewer) -> HTMLResponse:
    return _message(
        request,
        viewer,
        "Geen rollen die wachten",
        "Bij deze aanvraag wachten geen rollen (meer) op bevestiging: ze zijn al beoordeeld, "
        "ingetrokken, of horen niet bij jouw gemeente. Er is niets gewijzigd. Op "
        "/rollen zie je wat er nog wacht.",
        404,
    )


@router.get("/rollen", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    """The waiting grants of the viewer's municipality, by import."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_redirect(request)
    if not _may_confirm(viewer):
        return _no_confirmer(request, viewer)
    with _runtime(request).factory() as db:
        batches = waiting_batches(db, viewer.municipality)
    context = {**_frame(request, viewer), "viewer": viewer, "batches": batches}
    return _page(request, "rollen.html", context)


def _batch_page(
    request: Request, viewer: Viewer, batch: Batch, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    key = _runtime(request).settings.signing_keys()[0]
    context = {
        **_frame(request, viewer),
        "viewer": viewer,
        "aanvraag": batch,
        "why_not": _why_not(viewer, batch),
        "error": error,
        "csrf": _csrf(request, key, batch.batch),
    }
    return _page(request, "rollen_batch.html", context, status)


@router.get("/rollen/{batch}", response_class=HTMLResponse)
def review(batch: str, request: Request) -> Response:
    """One import's waiting grants, with the buttons when the viewer may decide on them."""
    viewer = viewer_of(request)
    if viewer is None:
        return login_redirect(request)
    if not _may_confirm(viewer):
        return _no_confirmer(request, viewer)
    found = None
    if set(batch) <= BATCH_CHARS and len(batch) <= 32:
        with _runtime(request).factory() as db:
            found = batch_of(db, viewer.municipality, batch)
    if found is None:
        return _not_found(request, viewer)
    return _batch_page(request, viewer, found)


def _refused_request(request: Request, reason: str) -> HTMLResponse:
    """A POST from another site, or without its CSRF value: counted and audited like a refused
    link (poflow/web/refusals.py); nothing else changes."""
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
        "gedaan. Open de pagina met de rollen opnieuw en kies dan.",
        403,
    )


def _decide(
    request: Request, viewer: Viewer, batch: str, decision: str, shown: list[str]
) -> Response:
    """Confirm or refuse exactly the grants the page showed; a Dutch answer either way."""
    runtime = _runtime(request)
    with runtime.factory() as db:
        found = batch_of(db, viewer.municipality, batch) if set(batch) <= BATCH_CHARS else None
        if found is None:
            return _not_found(request, viewer)
        if sorted(shown) != sorted(map(str, found.grant_ids)):
            return _batch_page(
                request,
                viewer,
                found,
                error="De aanvraag is gewijzigd sinds je de pagina opende. Er is niets "
                "gewijzigd. Bekijk de rollen hieronder opnieuw en kies dan.",
                status=409,
            )
        act = DECISIONS[decision]
        try:
            act(db, found.grant_ids, viewer.person_id, utcnow())
        except GrantRefused as exc:
            db.commit()  # the refusal's audit row
            return _message(request, viewer, "Dit kun jij niet beoordelen", str(exc), 403)
        db.commit()
    people = ", ".join(f"{line.name}: {line.role}" for line in found.lines)
    if decision == "bevestigen":
        return _message(
            request,
            viewer,
            "Rollen bevestigd",
            f"De rollen gelden nu: {people}. Dit is vastgelegd in het auditlog.",
            200,
            ok=True,
        )
    return _message(
        request,
        viewer,
        "Rollen geweigerd",
        f"Deze rollen gaan niet in: {people}. Dit is vastgelegd in het auditlog.",
        200,
        ok=True,
    )


@router.post("/rollen/{batch}", response_class=HTMLResponse)
async def decide(batch: str, request: Request) -> Response:
    """Confirm ("bevestigen") or refuse ("weigeren") the import's grants shown on the page."""
    base_url = _runtime(request).settings.resolved_base_url()
    sent = (request.headers.get("origin"), request.headers.get("referer"))
    if same_origin(base_url, *sent) is False:
        return await run_in_threadpool(_refused_request, request, "origin")
    viewer = await run_in_threadpool(viewer_of, request)
    if viewer is None:
        return login_redirect(request)
    form = await request.form()
    if not _csrf_ok(request, batch, str(form.get("csrf") or "")):
        return await run_in_threadpool(_refused_request, request, "csrf")
    decision = str(form.get("besluit") or "")
    if decision not in DECISIONS:
        return _message(
            request,
            viewer,
            "Kies bevestigen of weigeren",
            "Er is niets gewijzigd. Open de pagina met de rollen opnieuw en kies een van de "
            "twee knoppen.",
            422,
        )
    shown = [v for v in form.getlist("aanvraag") if isinstance(v, str)]
    return await run_in_threadpool(_decide, request, viewer, batch, decision, shown)
