"""The login and logout pages, the start page, and `complete_login`: the one way a verified
person gets a session (local password here, OpenID Connect from its own route).

A login form is protected like a link page: a CSRF value bound to a cookie (poflow/web/guard.py)
and the Origin check. The session cookie is HttpOnly, SameSite=Lax (a link clicked in a mail
carries it), Path=/ and Secure when POFLOW_BASE_URL is https. A refused login tells nothing
about why (poflow.auth.accounts); `next` is followed only to a path on this site.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from poflow import audit
from poflow._exceptions import LoginRefused
from poflow.auth.accounts import audit_failed_login, authenticate, login_of
from poflow.auth.models import Login
from poflow.auth.sessions import end_session, start_session
from poflow.db.base import utcnow
from poflow.db.models import Person
from poflow.runtime import Runtime
from poflow.web.guard import csrf_token, csrf_valid, new_nonce, same_origin
from poflow.web.identity import SESSION_COOKIE, safe_next, viewer_of
from poflow.web.refusals import source_of, tally_refusal

__all__ = ["LOGIN_CSRF_COOKIE", "complete_login", "router"]

router = APIRouter()
LOGIN_CSRF_COOKIE = "poflow_login_csrf"
LOGIN_PURPOSE = "inloggen"  # what the login form's CSRF value is bound to
NEUTRAL = {"gemeente": "Personeel & Organisatie", "po_mailbox": None}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _secret(request: Request) -> str:
    return _runtime(request).settings.secret_key.get_secret_value()


def _secure(request: Request) -> bool:
    return _runtime(request).settings.resolved_base_url().startswith("https://")


def _page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    return HTMLResponse(env.get_template(f"web/{template}").render(context), status_code=status)


def _frame(request: Request, municipality: str | None) -> dict[str, Any]:
    cfg = _runtime(request).configs.get(municipality or "")
    if cfg is None:
        return dict(NEUTRAL)
    return {"gemeente": cfg.name, "po_mailbox": str(cfg.municipality.po_mailbox)}


def _message(request: Request, title: str, text: str, status: int) -> HTMLResponse:
    context = {**NEUTRAL, "title": title, "message": text, "ok": False}
    return _page(request, "result.html", context, status)


def _logout_csrf(secret: str, session_value: str) -> str:
    """The logout form's CSRF value: bound to the session cookie itself (no second cookie)."""
    bound = hashlib.sha256(session_value.encode()).hexdigest()[:32]
    return csrf_token(secret, f"uitloggen:{bound}", "-")


def _login_form(
    request: Request,
    *,
    next_path: str | None,
    nonce: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = _runtime(request).settings
    oidc = (
        f"/inloggen/oidc?next={quote(next_path or '/', safe='/')}" if settings.oidc_issuer else None
    )
    context = {
        **NEUTRAL,
        "csrf": csrf_token(_secret(request), LOGIN_PURPOSE, nonce),
        "next": next_path or "",
        "oidc_href": oidc,
        "values": values or {},
        "errors": errors or {},
    }
    response = _page(request, "login.html", context, status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        nonce,
        max_age=3600,
        path="/inloggen",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


def _refused_request(request: Request, reason: str) -> HTMLResponse:
    """A login or logout POST from another site, or without its CSRF value: counted and
    audited like a refused link (poflow/web/refusals.py), nothing else changes."""
    runtime = _runtime(request)
    source = source_of(_secret(request), request.client.host if request.client else None)
    with runtime.factory() as db:
        tally_refusal(
            db, source=source, reason=reason, method="POST", row=None, token=request.url.path
        )
        db.commit()
    return _message(
        request,
        "Dit verzoek kwam niet van poflow",
        "Je verzoek kwam niet van de pagina van poflow zelf. Voor je veiligheid is er niets "
        "gedaan. Open de inlogpagina opnieuw en probeer het nog eens.",
        403,
    )


@router.get("/inloggen", response_class=HTMLResponse)
def login_page(
    request: Request, next_path: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The login form; a person already logged in goes on to `next` at once."""
    target = safe_next(next_path)
    if viewer_of(request) is not None:
        return RedirectResponse(target or "/", status_code=303)
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or new_nonce()
    return _login_form(request, next_path=target, nonce=nonce)


@router.post("/inloggen", response_class=HTMLResponse)
async def login_post(request: Request) -> Response:
    """Check the form, then the person's password (and code): a session, or one Dutch refusal."""
    if (
        same_origin(
            _runtime(request).settings.resolved_base_url(),
            request.headers.get("origin"),
            request.headers.get("referer"),
        )
        is False
    ):
        return _refused_request(request, "origin")
    form = await request.form()
    posted = {
        key: str(form.get(key) or "")
        for key in ("csrf", "personeelsnummer", "wachtwoord", "code", "next")
    }
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not csrf_valid(_secret(request), LOGIN_PURPOSE, nonce, posted["csrf"]) or nonce is None:
        return _refused_request(request, "csrf")
    target = safe_next(posted["next"])
    values = {"personeelsnummer": posted["personeelsnummer"].strip()[:40]}
    errors = {}
    if not values["personeelsnummer"]:
        errors["personeelsnummer"] = "Vul je personeelsnummer in."
    if not posted["wachtwoord"]:
        errors["wachtwoord"] = "Vul je wachtwoord in."
    if errors:
        return _login_form(
            request, next_path=target, nonce=nonce, values=values, errors=errors, status=422
        )
    runtime = _runtime(request)

    def check() -> str | LoginRefused:
        with runtime.factory() as db:
            try:
                person_id = authenticate(
                    db,
                    values["personeelsnummer"],
                    posted["wachtwoord"],
                    posted["code"] or None,
                    utcnow(),
                )
            except LoginRefused as exc:
                db.commit()  # the failure counts (lockout) and is audited
                return exc
            db.commit()
            return person_id

    outcome = await run_in_threadpool(check)
    if isinstance(outcome, LoginRefused):
        return _login_form(
            request,
            next_path=target,
            nonce=nonce,
            values=values,
            errors={"inloggen": str(outcome)},
            status=401,
        )
    return await run_in_threadpool(complete_login, request, outcome, "local", target)


def _refuse_completion(
    request: Request, db: Any, person: Person | None, reason: str, method: str
) -> HTMLResponse:
    audit_failed_login(db, person, reason, method=method)
    db.commit()
    if reason == "local_login":
        return _message(
            request,
            "Log in met je personeelsnummer",
            "Jij logt bij poflow in met je personeelsnummer en wachtwoord, niet met je "
            "organisatieaccount. Er is niets gewijzigd. Wil je voortaan met je "
            "organisatieaccount inloggen, vraag dat dan aan P&O.",
            403,
        )
    return _message(request, "Inloggen is niet gelukt", LoginRefused.MESSAGE, 403)


def complete_login(
    request: Request, person_id: str, method: str, next_path: str | None
) -> Response:
    """Give a verified person a session and send them on: to `next_path` when it is a path on
    this site, else to the start page.

    `method` is "local" (the password was checked) or "oidc" (the provider vouched for the
    person): the person must be in the staff register and their login not disabled; on a first
    OpenID Connect login their `Login` (method oidc, subject the person id) is made; a person
    whose login is local is refused a login through OIDC. Reads and writes the database: from
    an async route, call it through run_in_threadpool."""
    runtime = _runtime(request)
    now = utcnow()
    with runtime.factory() as db:
        person = db.get(Person, person_id)
        login = login_of(db, person_id) if person is not None else None
        if person is None:
            return _refuse_completion(request, db, None, "unknown", method)
        if login is not None and login.disabled_at is not None:
            return _refuse_completion(request, db, person, "disabled", method)
        if method == "oidc" and login is not None and login.method != "oidc":
            return _refuse_completion(request, db, person, "local_login", method)
        if method != "oidc" and (login is None or login.method != method):
            return _refuse_completion(request, db, person, "method", method)
        if login is None:
            db.add(
                Login(
                    person_id=person.id,
                    municipality=person.municipality,
                    method="oidc",
                    subject=person.id,
                    failed_attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            db.flush()
            audit.record(
                db,
                actor=person.id,
                action="login.added",
                entity_type="person",
                entity_id=person.id,
                municipality=person.municipality,
                method="oidc",
            )
        if method == "oidc":
            audit.record(
                db,
                actor=person.id,
                action="login.succeeded",
                entity_type="person",
                entity_id=person.id,
                municipality=person.municipality,
                method="oidc",
            )
        value = start_session(db, person.id, method, now)
        db.commit()
    response = RedirectResponse(safe_next(next_path) or "/", status_code=303)
    max_age = runtime.settings.session_max_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


@router.post("/uitloggen", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    """End the session of this cookie and clear it; then the login page."""
    base_url = _runtime(request).settings.resolved_base_url()
    if (
        same_origin(base_url, request.headers.get("origin"), request.headers.get("referer"))
        is False
    ):
        return _refused_request(request, "origin")
    form = await request.form()
    value = request.cookies.get(SESSION_COOKIE)
    sent = str(form.get("csrf") or "")
    if value and not hmac.compare_digest(_logout_csrf(_secret(request), value), sent):
        return _refused_request(request, "csrf")
    runtime = _runtime(request)

    def end() -> None:
        with runtime.factory() as db:
            end_session(db, value, utcnow())
            db.commit()

    await run_in_threadpool(end)
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The start page: a logged-in person's work (/werk, which says who is logged in); else
    the login page."""
    viewer = viewer_of(request)
    if viewer is None or request.cookies.get(SESSION_COOKIE) is None:
        return RedirectResponse("/inloggen", status_code=303)
    return RedirectResponse("/werk", status_code=303)
