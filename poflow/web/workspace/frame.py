"""What every workspace page shares: who is looking, the frame (municipality, menu, logout),
rendering, and the protection of its forms.

A workspace page is for a logged-in person (`require`): without a session it sends the browser
to the login page and back. `require(request, Role.PO_ADVISEUR)` also refuses, with a Dutch
page, a person without one of the roles named. Every POST goes through `read_form`: the Origin
check and a CSRF value bound to the session cookie and to the form's purpose; a refused POST is
counted and audited as a refused link (poflow/web/refusals.py) and changes nothing.

Menu entries (`MENU`) are shown to the roles they name; a page marks its own entry current by
passing its path as `here`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile  # what request.form() gives (not FastAPI's)

from poflow.auth.viewer import Viewer
from poflow.kernel.vocabulary import Role
from poflow.runtime import Runtime
from poflow.web.guard import csrf_token, same_origin
from poflow.web.identity import SESSION_COOKIE, login_redirect, viewer_of
from poflow.web.refusals import source_of, tally_refusal

__all__ = [
    "MENU",
    "PO",
    "Form",
    "MenuItem",
    "form_csrf",
    "frame",
    "message",
    "read_form",
    "refused",
    "render",
    "require",
    "runtime",
]

PO = Role.PO_ADVISEUR.value


@dataclass(frozen=True)
class MenuItem:
    """One entry of the workspace menu: shown to anyone when `roles` is empty."""

    href: str
    label: str
    roles: frozenset[str] = frozenset()


_PO_ONLY = frozenset({PO})
MENU: tuple[MenuItem, ...] = (
    MenuItem("/werk", "Mijn werk"),
    MenuItem("/overzicht", "Nieuwe medewerkers", _PO_ONLY),
    MenuItem("/medewerkers/nieuw", "Toevoegen", _PO_ONLY),
    MenuItem("/werving", "Werving", frozenset({PO, Role.RECRUITER.value})),
    MenuItem("/introductie", "Introductie", _PO_ONLY),
    MenuItem("/gesprekken", "Gesprekscyclus", _PO_ONLY),
    MenuItem("/audit", "Audit", _PO_ONLY),
    MenuItem("/mails", "Mails", _PO_ONLY),
    MenuItem("/rollen", "Rollen", frozenset({PO, Role.GEMEENTESECRETARIS.value})),
    MenuItem("/coaching", "Loopbaancoaching", frozenset({PO, Role.LOOPBAANCOACH.value})),
    MenuItem("/gebruikers", "Gebruikers", _PO_ONLY),
)


def runtime(request: Request) -> Runtime:
    """The app's runtime (settings, database, municipality configs)."""
    found: Runtime = request.app.state.runtime
    return found


def render(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200
) -> HTMLResponse:
    """`templates/web/<template>` rendered with `context`."""
    env: jinja2.Environment = request.app.state.templates
    return HTMLResponse(env.get_template(f"web/{template}").render(context), status_code=status)


def _session_value(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE) or ""


def form_csrf(request: Request, purpose: str) -> str:
    """The hidden value of a form with this `purpose` ("werk", "verplaatsen:NH-…"): bound
    to the session cookie, signed with the current key."""
    return _csrf_with(runtime(request).settings.signing_keys()[0], purpose, request)


def _csrf_with(key: str, purpose: str, request: Request) -> str:
    bound = hashlib.sha256(_session_value(request).encode()).hexdigest()[:32]
    return csrf_token(key, f"werkplek:{purpose}:{bound}", "-")


def frame(request: Request, viewer: Viewer, here: str = "") -> dict[str, Any]:
    """The context every workspace page starts from: the municipality, the person, the menu
    for their roles (`here` marks the current entry) and the logout form's CSRF value."""
    cfg = runtime(request).configs.get(viewer.municipality)
    menu = [
        {"href": m.href, "label": m.label, "current": m.href == here}
        for m in MENU
        if not m.roles or m.roles & viewer.roles
    ]
    bound = hashlib.sha256(_session_value(request).encode()).hexdigest()[:32]
    logout = csrf_token(
        runtime(request).settings.secret_key.get_secret_value(), f"uitloggen:{bound}", "-"
    )
    return {
        "gemeente": cfg.name if cfg else "Personeel & Organisatie",
        "po_mailbox": str(cfg.municipality.po_mailbox) if cfg else None,
        "viewer": viewer,
        "menu": menu,
        "logout_csrf": logout,
    }


def message(
    request: Request, viewer: Viewer, title: str, text: str, status: int, *, ok: bool = False
) -> HTMLResponse:
    """A page with one message (a refusal, or what was done)."""
    context = {**frame(request, viewer), "title": title, "message": text, "ok": ok}
    return render(request, "werkplek/melding.html", context, status)


def require(request: Request, *roles: Role) -> Viewer | Response:
    """The logged-in person, when they hold one of `roles` (any role when none are named);
    else the response to give: the login page (and back), or a Dutch refusal (403).
    Reads the database: call from a sync route or through run_in_threadpool."""
    viewer = viewer_of(request)
    if viewer is None or not _session_value(request):
        return login_redirect(request)
    if roles and not {r.value for r in roles} & viewer.roles:
        names = " of ".join(r.label for r in roles)
        text = f"Deze pagina is alleen voor wie {names} is. Er is niets gewijzigd."
        return message(request, viewer, "Deze pagina is niet voor jou", text, 403)
    return viewer


def refused(request: Request, reason: str) -> HTMLResponse:
    """A POST from another site or without its CSRF value: counted and audited like a refused
    link, nothing else changes."""
    rt = runtime(request)
    key = rt.settings.secret_key.get_secret_value()
    source = source_of(key, request.client.host if request.client else None)
    with rt.factory() as db:
        tally_refusal(
            db, source=source, reason=reason, method="POST", row=None, token=request.url.path
        )
        db.commit()
    env: jinja2.Environment = request.app.state.templates
    body = env.get_template("web/result.html").render(
        {
            "gemeente": "Personeel & Organisatie",
            "po_mailbox": None,
            "title": "Dit verzoek kwam niet van poflow",
            "message": "Je verzoek kwam niet van een pagina van poflow zelf. Voor je veiligheid "
            "is er niets gedaan. Open de pagina opnieuw en probeer het nog eens.",
            "ok": False,
        }
    )
    return HTMLResponse(body, status_code=403)


@dataclass(frozen=True)
class Form:
    """A posted form: every text value per name, and the bytes of every uploaded file."""

    fields: dict[str, list[str]]
    files: dict[str, tuple[str, bytes]]  # name -> (file name, content)

    def one(self, name: str) -> str:
        """The field's single value, stripped ("" when absent; the first when sent twice)."""
        sent = self.fields.get(name) or [""]
        return sent[0].strip()


async def read_form(request: Request, purpose: str) -> Form | Response:
    """The posted form when it came from our own page with the CSRF value of `purpose`; else
    the refusal to answer (nothing is changed)."""
    base_url = runtime(request).settings.resolved_base_url()
    headers = request.headers
    if same_origin(base_url, headers.get("origin"), headers.get("referer")) is False:
        return refused(request, "origin")
    form = await request.form()
    posted = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    files = {}
    for key in form:
        upload = form.get(key)
        if isinstance(upload, UploadFile):
            files[key] = (upload.filename or "", await upload.read())
    sent = (posted.get("csrf") or [""])[0]
    keys = runtime(request).settings.signing_keys()
    if not sent or not _session_value(request):
        return refused(request, "csrf")
    if not any(hmac.compare_digest(_csrf_with(k, purpose, request), sent) for k in keys):
        return refused(request, "csrf")
    return Form(posted, files)
