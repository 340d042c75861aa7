"""Opening a recruitment round from the workspace (issue 21, item 5): `/werving/nieuw` is the
wervingsbehoefte form (REC-1) with the values `poflow recruitment open` takes. The posted need
goes through the CLI's own read_need and open_round (a formation change asks the
gemeentesecretaris and the OR first, REC-2), in the viewer's municipality, audited as the
logged-in person (X-4). Bad input is named per field and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import RecruitmentRefused
from poflow.auth.viewer import Viewer
from poflow.db.models import Person, PersonRole
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.recruitment.need import read_need
from poflow.recruitment.rounds import open_round
from poflow.web.workspace.frame import Form, form_csrf, frame, read_form, render, require, runtime

__all__ = ["router"]

router = APIRouter()
PURPOSE = "werving:nieuw"
OPENERS = (Role.PO_ADVISEUR, Role.RECRUITER)
# The form's fields: (name, the need's key, Dutch label, role of the people to choose from).
PEOPLE = (
    ("po", "po_id", "P&O-adviseur", Role.PO_ADVISEUR, True),
    ("mt_lid", "mt_lid_id", "MT-lid", Role.MT_LID, True),
    ("leidinggevende", "leidinggevende_id", "Leidinggevende", Role.LEIDINGGEVENDE, True),
    ("collega", "colleague_id", "Collega in de commissie (uit het team)", Role.MEDEWERKER, False),
    ("recruiter", "recruiter_id", "Recruiter", Role.RECRUITER, False),
)


def _choices(request: Request, municipality: str) -> dict[str, Any]:
    """The teams and, per role of the form, the people of the municipality holding it."""
    with runtime(request).factory() as session:
        people = session.scalars(
            select(Person).where(Person.municipality == municipality).order_by(Person.family_name)
        ).all()
        held = session.execute(
            select(PersonRole.person_id, PersonRole.role).where(
                PersonRole.municipality == municipality
            )
        ).all()
    roles: dict[str, set[str]] = {}
    for person_id, role in held:
        roles.setdefault(person_id, set()).add(role)
    return {
        "teams": sorted({p.team for p in people}),
        "keuzes": {
            name: [
                (p.id, f"{p.full_name} ({p.team})")
                for p in people
                if role.value in roles.get(p.id, set())
            ]
            for name, _, _, role, _ in PEOPLE
        },
    }


def _page(
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str],
    problem: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        **frame(request, viewer, "/werving"),
        **_choices(request, viewer.municipality),
        "velden": PEOPLE,
        "waarden": values,
        "fouten": errors,
        "probleem": problem,
        "csrf": form_csrf(request, PURPOSE),
    }
    return render(request, "werkplek/werving_nieuw.html", context, status)


@router.get("/werving/nieuw", response_class=HTMLResponse)
def new_round_page(request: Request) -> Response:
    """The empty wervingsbehoefte form (the viewer as P&O adviser when they are one)."""
    viewer = require(request, *OPENERS)
    if not isinstance(viewer, Viewer):
        return viewer
    mine = viewer.person_id if Role.PO_ADVISEUR.value in viewer.roles else ""
    return _page(request, viewer, {"po": mine, "venster": ""}, {})


def _read(form: Form, teams: list[str]) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The posted need as read_need's `given` values, the values to show again, and an error
    per field that is wrong (Dutch)."""
    values = {
        name: form.one(name)
        for name in ("team", "functie", "fte", "venster", *(p[0] for p in PEOPLE))
    }
    values["formatie"] = "ja" if form.one("formatie") == "ja" else ""
    errors: dict[str, str] = {}
    if values["team"] not in teams:
        errors["team"] = "Kies het team waarvoor de ronde is."
    if not values["functie"]:
        errors["functie"] = "Vul de functie in."
    elif len(values["functie"]) > 160:
        errors["functie"] = "De functie is te lang: ten hoogste 160 tekens."
    fte: float | None = None
    try:
        fte = float(values["fte"].replace(",", "."))
    except ValueError:
        errors["fte"] = "Vul het aantal fte in als getal, bijvoorbeeld 0,89."
    window: int | None = None
    if values["venster"]:
        if values["venster"].isdigit() and 1 <= int(values["venster"]) <= 90:
            window = int(values["venster"])
        else:
            errors["venster"] = "Vul een aantal dagen in van 1 tot en met 90, of laat het leeg."
    for name, _, label, _, needed in PEOPLE:
        if needed and not values[name]:
            errors[name] = f"Kies de {label.lower()}." if name != "mt_lid" else "Kies het MT-lid."
    given: dict[str, Any] = {
        "team": values["team"],
        "function": values["functie"],
        "fte": fte,
        "internal_window_days": window,
        **{key: values[name] or None for name, key, _, _, _ in PEOPLE},
    }
    return given, values, errors


@router.post("/werving/nieuw", response_class=HTMLResponse)
async def new_round_post(request: Request) -> Response:
    """Open the round as the CLI does, audited as the logged-in person; then its page."""
    viewer = await run_in_threadpool(require, request, *OPENERS)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, PURPOSE)
    if not isinstance(form, Form):
        return form
    teams = (await run_in_threadpool(_choices, request, viewer.municipality))["teams"]
    given, values, errors = _read(form, teams)
    if errors:
        return await run_in_threadpool(_page, request, viewer, values, errors, None, 422)

    def opened() -> str | None:
        rt = runtime(request)
        need = read_need(
            None,
            {**given, "municipality": viewer.municipality},
            formation_change=bool(values["formatie"]),
        )
        slug = need.pop("municipality")
        with rt.factory() as session, session.begin():
            ctx = rt.context(session, slug, today(), actor=viewer.person_id)
            return open_round(ctx, **need).id

    try:
        round_id = await run_in_threadpool(opened)
    except RecruitmentRefused as exc:  # nothing was opened: the transaction rolled back
        return await run_in_threadpool(_page, request, viewer, values, {}, str(exc), 422)
    return RedirectResponse(f"/werving/{round_id}?geopend=1", status_code=303)
