"""P&O's overview of new colleagues (`/overzicht`) and a hire's page (`/medewerkers/<id>`),
issue 21 items 1 and 2 (reading only; the actions are their own pages under the hire's path).

The overview is for a P&O adviser (po_adviseur) and shows the running hires of the viewer's
municipality: a viewer belongs to one municipality, so there is no municipality filter (a shared
service centre's viewer of several would get one). A hire's page is for P&O, and read-only for
the hire's own leidinggevende; anyone else gets the page of an unknown hire (404), as does a
hire of another municipality. The read models are in overview_model.py and hire_model.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl, moment_nl
from poflow.onboarding.rules import AFGEROND, Phase
from poflow.onboarding.status import SHORT
from poflow.web.workspace.frame import PO, frame, message, render, require, runtime
from poflow.web.workspace.hire_common import done_text
from poflow.web.workspace.hire_model import COMING_SHOWN, PAST_SHOWN, fold, read_hire
from poflow.web.workspace.overview_model import Filters, read_overview

__all__ = ["ACTIONS", "router"]

router = APIRouter()

PHASES = [(p.value, p.label) for p in Phase] + [(AFGEROND, "Na zes maanden, nog open")]
# The actions on a hire (WS-ACTIONS builds them): path under /medewerkers/<id>/, and the label.
ACTIONS = (
    ("verplaatsen", "Startdatum verplaatsen"),
    ("annuleren", "Indiensttreding annuleren"),
    ("buddy", "Buddy wijzigen"),
    ("leidinggevende", "Leidinggevende wijzigen"),
    ("gegevens", "Naam of e-mailadres corrigeren"),
)


def _phase_label(value: str) -> str:
    return dict(PHASES).get(value, value)


def _filters(request: Request) -> Filters:
    query = request.query_params
    page = query.get("pagina", "1")
    phase = query.get("fase", "")
    return Filters(
        team=query.get("team", "").strip(),
        phase=phase if phase in dict(PHASES) else "",
        overdue_only=query.get("te_laat") == "1",
        page=int(page) if page.isdigit() else 1,
    )


def _page_link(filters: Filters, page: int) -> str:
    query: dict[str, Any] = {"pagina": page}
    if filters.team:
        query["team"] = filters.team
    if filters.phase:
        query["fase"] = filters.phase
    if filters.overdue_only:
        query["te_laat"] = "1"
    return "/overzicht?" + urlencode(query)


@router.get("/overzicht")
def overview_page(request: Request) -> Response:
    """Every running hire of the municipality with its progress, and what waits on whom."""
    viewer = require(request, Role.PO_ADVISEUR)
    if isinstance(viewer, Response):
        return viewer
    rt = runtime(request)
    filters = _filters(request)
    day = today()
    with rt.factory() as session:
        found = read_overview(session, rt.config(viewer.municipality), day, filters)
    context = {
        **frame(request, viewer, "/overzicht"),
        "o": found,
        "f": filters,
        "phases": PHASES,
        "phase_order": list(Phase),
        "short": SHORT,
        "phase_label": _phase_label,
        "day": day,
        "date_nl": date_nl,
        "previous": _page_link(filters, found.page - 1) if found.page > 1 else None,
        "next": _page_link(filters, found.page + 1) if found.page < found.pages else None,
    }
    return render(request, "werkplek/overzicht.html", context)


@router.get("/medewerkers/{hire_id}")
def hire_page(request: Request, hire_id: str) -> Response:
    """A hire's timeline and checklist: for P&O, and for the hire's own leidinggevende. The
    timeline shows its recent and coming lines; `?alles=1` shows every line."""
    viewer = require(request, Role.PO_ADVISEUR, Role.LEIDINGGEVENDE)
    if isinstance(viewer, Response):
        return viewer
    rt = runtime(request)
    day = today()
    with rt.factory() as session:
        found = read_hire(session, rt.config(viewer.municipality), hire_id, day)
        is_po = PO in viewer.roles
        if found is None or not (is_po or found.hire.manager_id == viewer.person_id):
            text = "Deze nieuwe medewerker is niet gevonden in je gemeente."
            return message(request, viewer, "Niet gevonden", text, 404)
        everything = request.query_params.get("alles") == "1"
        timeline, hidden = (found.timeline, 0) if everything else fold(found.timeline, day)
        context = {
            **frame(request, viewer, "/overzicht" if is_po else ""),
            "p": found,
            "timeline": timeline,
            "hidden": hidden,
            "everything": everything,
            "past_shown": PAST_SHOWN,
            "coming_shown": COMING_SHOWN,
            "h": found.hire,
            "manager": found.hire.manager.full_name,
            "buddy": found.hire.buddy.full_name if found.hire.buddy else None,
            "phase": _phase_label(found.phase),
            "actions": ACTIONS if is_po else (),
            "is_po": is_po,
            "date_nl": date_nl,
            "moment_nl": moment_nl,
        }
        what = request.query_params.get("gedaan") if is_po else None
        context["gedaan"] = done_text(what, found.hire, context["manager"], context["buddy"])
        return render(request, "werkplek/medewerker.html", context)
