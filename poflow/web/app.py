"""poflow's small web app: the Dutch pages behind the action links in its mails, and /healthz.

Hostile requests cost little: a body is read up to 64 KiB at most (an import upload 2 MiB;
poflow/web/limits.py), a token is read at bounded cost (poflow.links.read_token), a POST from
another site's page is refused on its Origin/Referer, and refusals are counted per source and
minute (poflow/web/refusals.py)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import OidcRefused
from poflow.db.session import POOL_SIZE, fill_pool
from poflow.runtime import build_runtime, settle_heap
from poflow.settings import Settings, get_settings
from poflow.staff.web import router as grants_router
from poflow.web.checkin_behalf import behalf_router
from poflow.web.guard import CSRF_COOKIE, same_origin
from poflow.web.identity import viewer_of
from poflow.web.limits import MAX_BODY, MAX_UPLOAD, UPLOAD_PATHS, BodyLimit
from poflow.web.login import complete_login
from poflow.web.login import router as login_router
from poflow.web.oidc import oidc_router
from poflow.web.refusals import tally_refusal
from poflow.web.service import LinkPages, Page
from poflow.web.workspace import workspace_router

__all__ = ["create_app"]

log = logging.getLogger("poflow.web")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    # The token in the address must not leak to other sites; "same-origin" (not "no-referrer",
    # with which browsers send "Origin: null") lets our own form's POST carry our Origin.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}


def _environment(templates_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _client(request: Request) -> str | None:
    """The requester's address (uvicorn's, after the proxies it trusts); only hashed."""
    return request.client.host if request.client else None


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Serve with the objects of start-up (modules, templates, the runtime) frozen out of the
    cycle collector: a full collection otherwise walks all of them (~70 ms, once every dozen
    requests of the workspace overview: its p95), now only what the requests left. Once per
    process (poflow.runtime.settle_heap), and never undone: they live as long as the process.

    Sync routes run in at most POOL_SIZE threads at once, one database connection each: the
    other requests of a burst wait in the event loop, not for a connection the pool would open
    for them and close after (anyio's default is 40 threads). Those connections are opened
    here, before the first request (fill_pool)."""
    settle_heap()
    to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
    try:
        await to_thread.run_sync(fill_pool, app.state.runtime.settings.resolved_database_url())
    except SQLAlchemyError as exc:  # the database is down: serve anyway, /healthz says so
        log.warning("database connections not opened at start: %s", type(exc).__name__)
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings` (default: from the environment); the schema must exist.

    InsecureSecret when it would serve with a key anyone may know while POFLOW_WEB_HOST or
    POFLOW_BASE_URL is not loopback (Settings.refuse_insecure_secrets)."""
    settings = settings or get_settings()
    settings.refuse_insecure_secrets()
    pages = LinkPages(build_runtime(settings))
    env = _environment(settings.templates_dir)
    base_url = settings.resolved_base_url()
    secure = base_url.startswith("https://")
    css = (settings.templates_dir / "web" / "poflow.css").read_text(encoding="utf-8")
    app = FastAPI(
        title="poflow", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan
    )
    # What the login pages and poflow.web.identity read from a request's app.
    app.state.runtime = pages.runtime
    app.state.templates = env
    app.include_router(login_router)
    app.include_router(grants_router)  # /rollen: approval roles confirmed by a second person
    app.include_router(behalf_router)  # P&O records a check-in on behalf (CHK-3)
    app.include_router(workspace_router)  # the workspace pages (poflow/web/workspace/)

    def render(page: Page, token: str | None = None) -> Response:
        if page.redirect is not None:
            return RedirectResponse(page.redirect, status_code=303)
        body = env.get_template(f"web/{page.template}").render(page.context)
        response = HTMLResponse(body, status_code=page.status)
        if page.nonce and token:
            response.set_cookie(
                CSRF_COOKIE,
                page.nonce,
                max_age=4 * 3600,
                path=f"/a/{token}",
                httponly=True,
                samesite="strict",
                secure=secure,
            )
        return response

    def plain(status: int, title: str, message: str) -> Response:
        return render(
            Page(
                "result.html",
                {**pages.frame(None), "title": title, "message": message, "ok": False},
                status,
            )
        )

    # Inside the headers middleware below (added later, so outside), which marks its 413 too.
    app.add_middleware(
        BodyLimit,
        limit=MAX_BODY,
        larger=dict.fromkeys(UPLOAD_PATHS, MAX_UPLOAD),
        refuse=lambda: plain(
            413, "Te veel tekst", "Wat je verstuurde is te groot. Er is niets gewijzigd."
        ),
    )

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        try:
            response: Response = await call_next(request)
        except Exception as exc:  # noqa: BLE001  (any failure: a Dutch page, no traceback)
            # Type and code locations only: a message may quote posted values.
            log.error(
                "request %s %s failed: %s\n%s",
                request.method,
                request.url.path[:3],
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            response = plain(
                500,
                "Er ging iets mis",
                "Er ging iets mis bij poflow. Er is niets gewijzigd. Probeer het later opnieuw.",
            )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with pages.factory() as session:
                session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001  (whatever the database says, it is not healthy)
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/static/poflow.css", include_in_schema=False)
    def stylesheet() -> PlainTextResponse:
        return PlainTextResponse(
            css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
        )

    @app.get("/a/{token}", response_class=HTMLResponse)
    def show(token: str, request: Request) -> Response:
        # A sync route: one trip through the thread pool for the whole page (with 50 clicks
        # at once, every further trip waited behind all the others' first ones).
        viewer = viewer_of(request)
        page = pages.show(token, request.cookies.get(CSRF_COOKIE), _client(request), viewer)
        return render(page, token)

    @app.post("/a/{token}", response_class=HTMLResponse)
    async def act(token: str, request: Request) -> Response:
        sent = (request.headers.get("origin"), request.headers.get("referer"))
        if same_origin(base_url, *sent) is False:  # another site's page posted this
            return render(await run_in_threadpool(pages.refuse_origin, token, _client(request)))
        form = await request.form()
        posted = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
        viewer = await run_in_threadpool(viewer_of, request)
        page = await run_in_threadpool(
            partial(
                pages.act,
                token,
                posted,
                request.cookies.get(CSRF_COOKIE),
                _client(request),
                viewer,
            )
        )
        return render(page, token)

    def _oidc_identified(request: Request, person_id: str, next_path: str | None) -> Response:
        """The provider vouched for `person_id`: a session when the staff register knows them
        (the callback is a sync route, so this runs in the thread pool)."""
        return complete_login(request, person_id, "oidc", next_path)

    def oidc_refused(request: Request, exc: OidcRefused) -> None:
        """A refused login is counted and audited as refused links are (one row per bucket)."""
        with pages.factory() as session:
            source = pages.source(_client(request))
            reason, method = f"oidc_{exc.reason}", request.method
            tally_refusal(session, source=source, reason=reason, method=method, row=None, token="")
            session.commit()

    if settings.oidc_issuer:  # OpenID Connect login only when a provider is configured
        router = oidc_router(settings, _oidc_identified, page=plain, on_refused=oidc_refused)
        app.include_router(router)

    @app.exception_handler(404)
    async def not_found(_request: Request, _exc: Exception) -> Response:
        return plain(
            404,
            "Pagina niet gevonden",
            "Deze pagina bestaat niet. Gebruik de link uit de mail die je hebt gekregen.",
        )

    @app.exception_handler(405)
    async def not_allowed(_request: Request, _exc: Exception) -> Response:
        return plain(
            405,
            "Dat kan hier niet",
            "Deze pagina kan zo niet worden gebruikt. "
            "Gebruik de link uit de mail die je hebt gekregen.",
        )

    return app
