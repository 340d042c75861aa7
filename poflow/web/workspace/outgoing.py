"""The state of outgoing mail for a logged-in P&O adviser (issue 21, item 7).

`GET /mails/uitgaand` shows the municipality's outbox by state: parked (with the reason and an
"Opnieuw versturen" button), failed and waiting for its next attempt (with the reason and when),
waiting to be sent, and the latest sent. `POST /mails/uitgaand/<id>` sends a parked message
again through the same function as `poflow mail retry` (poflow.mail.parking.retry_parked),
audited as the adviser (X-4). A failed message needs no button: the next pass tries it again.

`/mail/geparkeerd`, the page P&O's notices of a parked message linked to before, sends the
browser here. Only a P&O adviser (role po_adviseur) sees or sends their own municipality's mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import PoflowError
from poflow.auth.viewer import Viewer
from poflow.db.models import Outbox
from poflow.kernel.calendar import TIMEZONE
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import moment_nl
from poflow.mail.parking import retry_parked
from poflow.states import MailState
from poflow.web.workspace.frame import form_csrf, frame, read_form, render, require, runtime

__all__ = ["OLD_PAGE", "PAGE", "PURPOSE", "Shown", "outbox_by_state", "router"]

PAGE = "/mails/uitgaand"
OLD_PAGE = "/mail/geparkeerd"  # linked from notices sent before this page existed
PURPOSE = "uitgaand"  # the CSRF purpose of the retry forms
SHOWN = 50  # rows per state on the page
router = APIRouter()


@dataclass(frozen=True)
class Shown:
    """One state's rows on the page (at most SHOWN) and how many there are in all."""

    rows: list[dict[str, Any]]
    total: int


def _row(r: Outbox) -> dict[str, Any]:
    zone = ZoneInfo(TIMEZONE)
    return {
        "id": r.id,
        "naam": r.recipient_name or "(geen naam)",
        "onderwerp": r.subject,
        "reden": r.last_error or "",
        "pogingen": r.attempts,
        "wanneer": moment_nl(r.created_at.astimezone(zone)),
        "verstuurd": moment_nl(r.sent_at.astimezone(zone)) if r.sent_at else "",
        "volgende": moment_nl(r.next_attempt_at.astimezone(zone)) if r.next_attempt_at else "",
    }


def outbox_by_state(session: Session, municipality: str) -> dict[str, Shown]:
    """The municipality's outbox by what P&O needs to know: parked, failed (queued again after
    an error), waiting (queued) and sent (newest first)."""
    mine = Outbox.municipality == municipality
    queued = Outbox.state == MailState.QUEUED
    wheres = {
        "geparkeerd": (Outbox.state == MailState.PARKED, Outbox.id),
        "mislukt": (queued & Outbox.last_error.is_not(None), Outbox.id),
        "wacht": (queued & Outbox.last_error.is_(None), Outbox.id),
        "verstuurd": (Outbox.state == MailState.SENT, Outbox.id.desc()),
    }
    shown = {}
    for name, (where, order) in wheres.items():
        rows = session.scalars(select(Outbox).where(mine, where).order_by(order).limit(SHOWN))
        total = session.scalar(select(func.count()).select_from(Outbox).where(mine, where)) or 0
        shown[name] = Shown([_row(r) for r in rows], total)
    return shown


def _page(
    request: Request, viewer: Viewer, *, done: str | None, problem: str | None, status: int = 200
) -> HTMLResponse:
    with runtime(request).factory() as db:
        states = outbox_by_state(db, viewer.municipality)
    context = {
        **frame(request, viewer, "/mails"),
        "staten": states,
        "csrf": form_csrf(request, PURPOSE),
        "verstuurd": done,
        "fout": problem,
    }
    return render(request, "werkplek/uitgaand.html", context, status)


@router.get(OLD_PAGE, include_in_schema=False)
def old_parked_page() -> RedirectResponse:
    """The page of parked mail is part of the outgoing mail now."""
    return RedirectResponse(f"{PAGE}#geparkeerd", status_code=303)


@router.get(PAGE, response_class=HTMLResponse)
def outgoing_page(request: Request) -> Response:
    """The municipality's outgoing mail by state; a button per parked message."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    sent = request.query_params.get("verstuurd", "")
    return _page(request, viewer, done=sent if sent.isdigit() else None, problem=None)


@router.post(PAGE + "/{outbox_id}", response_class=HTMLResponse)
async def retry_post(request: Request, outbox_id: int) -> Response:
    """Send one parked message again (optionally to a corrected address), as the adviser."""
    form = await read_form(request, PURPOSE)
    if isinstance(form, Response):
        return form
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    address = form.one("adres") or None
    rt = runtime(request)

    def retry() -> str | None:
        with rt.factory() as db:
            row = db.get(Outbox, outbox_id)
            if row is None or row.municipality != viewer.municipality:
                return "Dit bericht is niet (meer) geparkeerd bij jouw gemeente."
            if row.state is not MailState.PARKED:
                return f"Bericht {outbox_id} is niet (meer) geparkeerd: er is niets gewijzigd."
            try:
                retry_parked(
                    db, outbox_id, actor=viewer.person_id, smtputf8=rt.settings.smtputf8, to=address
                )
            except PoflowError as exc:
                db.rollback()
                return f"Opnieuw versturen lukte niet: {exc}"
            db.commit()
        return None

    problem = await run_in_threadpool(retry)
    if problem is None:
        return RedirectResponse(f"{PAGE}?verstuurd={outbox_id}", status_code=303)
    return await run_in_threadpool(
        lambda: _page(request, viewer, done=None, problem=problem, status=409)
    )
