"""The mail gallery for a logged-in P&O adviser (issue 21, item 7): every mail template of the
municipality (its own overrides included) rendered with the example data of
`templates/mail/voorbeelden.yaml`, by the same code as `poflow mails gallery` (poflow.gallery).

`GET /mails` lists them (subject, who receives it); `GET /mails/voorbeeld/<template>` shows one:
the plain text in a <pre> and the HTML in a sandboxed frame. The frame's source,
`GET /mails/html/<template>`, is the rendered HTML as sent, served with a CSP of its own
(`sandbox`: no script, no forms, no same origin; inline style, which mail needs, and nothing
fetched) that only this app's pages may frame; the page holding it allows frames of its own
origin only. Every other page keeps `frame-ancestors 'none'`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from poflow._exceptions import ConfigError
from poflow.auth.viewer import Viewer
from poflow.gallery import render_examples
from poflow.kernel.vocabulary import Role
from poflow.mail.outbox import Recipient
from poflow.mail.render import RenderedMail
from poflow.web.workspace.frame import frame, message, render, require, runtime

__all__ = ["FRAMED_CSP", "PAGE", "PAGE_CSP", "router"]

PAGE = "/mails"
# The page with the frame: the app's policy, with frames from its own origin.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The rendered mail itself: a sandbox (a unique origin, no script, no forms), its inline style.
FRAMED_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
router = APIRouter()


def _rendered(request: Request, viewer: Viewer) -> dict[str, tuple[Recipient, RenderedMail]]:
    rt = runtime(request)
    return render_examples(rt.config(viewer.municipality), rt.settings)


def _gallery(request: Request) -> tuple[Viewer, dict[str, Any]] | Response:
    """The viewer and every rendered example, or the response to give instead."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    try:
        return viewer, _rendered(request, viewer)
    except ConfigError as exc:
        text = f"De voorbeelden konden niet worden gemaakt: {exc}"
        return message(request, viewer, "Voorbeelden niet beschikbaar", text, 500)


@router.get(PAGE, response_class=HTMLResponse)
def gallery_index(request: Request) -> Response:
    """Every template of the municipality with its subject and who receives it."""
    found = _gallery(request)
    if isinstance(found, Response):
        return found
    viewer, rendered = found
    mails = [
        {"naam": name, "onderwerp": mail.subject, "aan": to.name}
        for name, (to, mail) in rendered.items()
    ]
    context = {**frame(request, viewer, PAGE), "mails": mails}
    return render(request, "werkplek/mails.html", context)


@router.get(PAGE + "/voorbeeld/{name:path}", response_class=HTMLResponse)
def gallery_mail(request: Request, name: str) -> Response:
    """One template rendered: its subject, recipient, plain text and HTML (framed)."""
    found = _gallery(request)
    if isinstance(found, Response):
        return found
    viewer, rendered = found
    if name not in rendered:
        text = f"Er is geen mail {name!r}. Kies er een uit de lijst."
        return message(request, viewer, "Onbekende mail", text, 404)
    names = list(rendered)
    at = names.index(name)
    to, mail = rendered[name]
    context = {
        **frame(request, viewer, PAGE),
        "naam": name,
        "aan": f"{to.name} <{to.email}>",
        "mail": mail,
        "vorige": names[at - 1] if at > 0 else None,
        "volgende": names[at + 1] if at + 1 < len(names) else None,
    }
    response = render(request, "werkplek/mail.html", context)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


@router.get(PAGE + "/html/{name:path}", response_class=HTMLResponse)
def gallery_html(request: Request, name: str) -> Response:
    """The rendered HTML of one template, sandboxed, for the frame of its page."""
    found = _gallery(request)
    if isinstance(found, Response):
        return found
    _viewer, rendered = found
    if name not in rendered:
        return Response("Onbekende mail.", status_code=404, media_type="text/plain")
    _to, mail = rendered[name]
    return HTMLResponse(
        mail.html,
        headers={"Content-Security-Policy": FRAMED_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )
