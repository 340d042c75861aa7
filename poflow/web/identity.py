"""Who is asking: the logged-in person behind a request, for every page of the web app.

The session cookie holds a random value; `viewer_of` looks its hash up through the app's runtime
(`app.state.runtime`, set by create_app) and gives the person as a `Viewer`, or None. A page
that needs a login answers `login_redirect(request)`: to the login page, and back afterwards.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from poflow.auth.sessions import resolve_session
from poflow.auth.viewer import Viewer
from poflow.db.base import utcnow
from poflow.runtime import Runtime

__all__ = ["SESSION_COOKIE", "Viewer", "login_redirect", "safe_next", "viewer_of"]

SESSION_COOKIE = "poflow_session"
MAX_NEXT = 512  # a longer `next` is not a path of ours


def safe_next(value: str | None) -> str | None:
    """`value` when it is a path on this site ("/a/…", "/checkins/…"), else None: never a
    scheme, a host ("//evil.example", "/\\evil.example"), a control character or a backslash."""
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def viewer_of(request: Request) -> Viewer | None:
    """The logged-in person of this request (a live session cookie), or None. Reads the
    database: call it from a sync endpoint or through run_in_threadpool."""
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    value = request.cookies.get(SESSION_COOKIE)
    viewer = None
    if value:
        runtime: Runtime = request.app.state.runtime
        settings = runtime.settings
        with runtime.factory() as db:
            viewer = resolve_session(
                db, value, utcnow(), settings.session_idle_minutes, settings.session_max_hours
            )
            db.commit()
    if viewer is not None and viewer.method == "cli":
        viewer = None  # a command-line session (poflow login) is not a browser's
    request.state.viewer = viewer
    return viewer


def login_redirect(request: Request) -> RedirectResponse:
    """303 to the login page, which sends the person back to this page's path afterwards."""
    path = request.url.path
    if request.url.query:
        path = f"{path}?{request.url.query}"
    target = safe_next(path) or "/"
    return RedirectResponse(f"/inloggen?next={quote(target, safe='/')}", status_code=303)
