"""Logins of the municipality's staff for a logged-in P&O adviser (issue 21): `GET /gebruikers`
lists every person with their login state (none, local, OIDC, disabled, locked until …, TOTP on
or off, an activation mail waiting); `POST /gebruikers/<id>/<actie>` gives or resets a login
(an activation mail: the person chooses their own password), disables one or ends a lockout,
through the same domain functions as `poflow users` (poflow.auth.access), audited as the
adviser. Nobody changes their own login here, and OIDC logins are shown only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from poflow import audit
from poflow._exceptions import AccessRefused, NotFound
from poflow.auth.access import (
    LoginState,
    disable_access,
    login_states,
    send_activation,
    unlock_access,
)
from poflow.auth.viewer import Viewer
from poflow.db.base import utcnow
from poflow.db.models import Person
from poflow.kernel.calendar import TZ, today
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import moment_nl
from poflow.runtime import Runtime, run_day
from poflow.web.workspace.frame import form_csrf, frame, message, read_form, render, require
from poflow.web.workspace.frame import runtime as runtime_of

__all__ = ["PAGE", "PURPOSE", "router"]

PAGE = "/gebruikers"
PURPOSE = "gebruikers"  # the CSRF purpose of every form on the page
ACTIONS = ("activeren", "uitschakelen", "deblokkeren")
DONE = {
    "add": "{name} krijgt een mail om een wachtwoord te kiezen (de link werkt 24 uur, één keer).",
    "reset": "{name} krijgt een mail om een nieuw wachtwoord te kiezen (de link werkt 24 uur, "
    "één keer); tot dan werkt het oude wachtwoord.",
    "uitschakelen": "De inlog van {name} is uitgeschakeld; wie ingelogd was, is uitgelogd.",
    "deblokkeren": "De blokkade van {name} is opgeheven: {name} kan weer inloggen.",
}
router = APIRouter()


@dataclass(frozen=True)
class Row:
    """One person on the page: who, their login in words, and what P&O can do."""

    person: Person
    state: str
    totp: str
    note: str  # why nothing can be done here, or an activation mail waiting
    actions: tuple[tuple[str, str], ...]  # (actie, button label)


def _when(moment: datetime) -> str:
    return moment_nl(moment.astimezone(TZ))


def _state(login: LoginState | None) -> str:
    if login is None or login.method is None:
        return "Geen inlog"
    if login.method == "oidc":
        return "Via de organisatie (OIDC)"
    if login.disabled_at is not None:
        return f"Uitgeschakeld sinds {_when(login.disabled_at)}"
    if login.locked_until is not None:
        return f"Geblokkeerd tot {_when(login.locked_until)}"
    return "Eigen wachtwoord"


def _row(person: Person, login: LoginState | None, viewer: Viewer) -> Row:
    method = login.method if login is not None else None
    totp = "—" if method != "local" else "aan" if login and login.totp else "uit"
    waiting = login.activation_until if login is not None else None
    note = f"Activatiemail verstuurd; de link werkt tot {_when(waiting)}." if waiting else ""
    if person.id == viewer.person_id:
        return Row(person, _state(login), totp, "Je eigen inlog: vraag een collega.", ())
    if method == "oidc":
        return Row(person, _state(login), totp, "Beheerd bij de organisatie.", ())
    if method is None:
        label = "Nieuwe activatiemail sturen" if waiting else "Inlog geven"
        return Row(person, _state(login), totp, note, (("activeren", label),))
    actions = [("activeren", "Nieuw wachtwoord laten kiezen")]
    if login is not None and login.locked_until is not None:
        actions.append(("deblokkeren", "Blokkade opheffen"))
    if login is not None and login.disabled_at is None:
        actions.append(("uitschakelen", "Uitschakelen"))
    return Row(person, _state(login), totp, note, tuple(actions))


def _page(request: Request, viewer: Viewer, *, done: str | None = None) -> HTMLResponse:
    with runtime_of(request).factory() as db:
        people = db.scalars(
            select(Person)
            .where(Person.municipality == viewer.municipality)
            .order_by(Person.family_name, Person.given_name, Person.id)
        ).all()
        states = login_states(db, viewer.municipality, utcnow())
        rows = [_row(p, states.get(p.id), viewer) for p in people]
    context = {
        **frame(request, viewer, PAGE),
        "rows": rows,
        "csrf": form_csrf(request, PURPOSE),
        "gedaan": done,
    }
    return render(request, "werkplek/gebruikers.html", context)


@router.get(PAGE, response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    """Every person of the municipality with their login, and the buttons P&O may use."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    done = None
    what, person_id = request.query_params.get("gedaan", ""), request.query_params.get("wie", "")
    if what in DONE and person_id:
        with runtime_of(request).factory() as db:
            person = db.get(Person, person_id)
            if person is not None and person.municipality == viewer.municipality:
                done = DONE[what].format(name=person.full_name)
    return _page(request, viewer, done=done)


@router.post(PAGE + "/{person_id}/{actie}", response_class=HTMLResponse)
async def change_login(request: Request, person_id: str, actie: str) -> Response:
    """Give or reset (an activation mail), disable, or unlock one person's login."""
    form = await read_form(request, PURPOSE)
    if isinstance(form, Response):
        return form
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return await run_in_threadpool(_change, request, viewer, person_id, actie)


def _change(request: Request, viewer: Viewer, person_id: str, actie: str) -> Response:
    rt = runtime_of(request)
    if actie not in ACTIONS:
        return message(request, viewer, "Niet gevonden", "Deze handeling bestaat niet.", 404)
    actor, slug = viewer.person_id, viewer.municipality
    try:
        with rt.factory() as db, db.begin():
            if actie == "activeren":
                done = send_activation(rt, db, slug, person_id, actor=actor)
            elif actie == "uitschakelen":
                disable_access(db, slug, person_id, actor=actor)
                done = actie
            else:
                unlock_access(db, slug, person_id, actor=actor)
                done = actie
    except NotFound:
        _refused(rt, viewer, person_id, actie, "unknown")
        text = "Deze persoon is niet bekend in het personeelsbestand van je gemeente."
        return message(request, viewer, "Persoon niet gevonden", text, 404)
    except AccessRefused as exc:
        _refused(rt, viewer, person_id, actie, "refused")
        return message(request, viewer, "Dit kan hier niet", str(exc), 403)
    if actie == "activeren":
        run_day(rt, today(), municipality=slug)  # the activation (and any re-ask) goes out now
    return RedirectResponse(f"{PAGE}?gedaan={done}&wie={person_id}", status_code=303)


def _refused(rt: Runtime, viewer: Viewer, person_id: str, actie: str, reason: str) -> None:
    """Audit a refused login change (own login, OIDC, another municipality's or unknown
    person): who tried what on whom, nothing else changed."""
    with rt.factory() as db, db.begin():
        audit.record(
            db,
            actor=viewer.person_id,
            action="login.change_refused",
            entity_type="person",
            entity_id=person_id[:40],
            municipality=viewer.municipality,
            change=actie,
            reason=reason,
        )
