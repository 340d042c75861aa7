"""The conversation cycle of the workspace (issue 21, item 6), for P&O: `/gesprekken` lists the
open richtgesprekken and beoordelingsgesprekken due in the coming months (and those overdue),
per leidinggevende and team, each with the state of its form: the POP form before a
richtgesprek (GES-2), the appraisal form of a beoordelingsgesprek (GES-3); below them every
cycle at a glance, as `poflow cycle list`, each linking to the employee's cycle page
(poflow/web/workspace/gesprekken_cycle.py, where P&O starts and steers a cycle). Read only; the
talks themselves are confirmed and recorded through the links in the mails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from poflow.auth.viewer import Viewer
from poflow.conversations.status import open_talks
from poflow.db.models import Hire, Person
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import CaseType, Role
from poflow.kernel.wording import date_nl
from poflow.web.workspace.cycle_model import cycle_rows
from poflow.web.workspace.frame import frame, render, require, runtime

__all__ = ["router"]

router = APIRouter()
PAGE = "/gesprekken"
WINDOWS = (30, 90, 180, 365)  # the periods P&O may choose, in days from today


def _form_state(talk: Any, day: Any) -> tuple[str, str]:
    """The form's state in Dutch and its label class (status in words, not colour alone)."""
    if talk.talk == "richtgesprek":
        if talk.form_done:
            return "POP-formulier binnen", "klaar"
        due = f", uiterlijk {date_nl(talk.form_due)}" if talk.form_due else ""
        late = talk.form_due is not None and talk.form_due < day
        return f"POP-formulier nog niet binnen{due}", "te-laat" if late else "open"
    if talk.form_done:
        return "beoordelingsformulier ingevuld", "klaar"
    return "beoordelingsformulier nog niet ingevuld", "te-laat" if talk.due_date < day else "open"


def _talks(request: Request, viewer: Viewer, days: int) -> list[dict[str, Any]]:
    """The open talks grouped per leidinggevende (name and team), by the first due date."""
    day = today()
    with runtime(request).factory() as session:
        talks = open_talks(session, viewer.municipality, until=day + timedelta(days=days))
        hires = [t.case_id for t in talks if t.case_type == CaseType.HIRE]
        people = {t.case_id for t in talks if t.case_type != CaseType.HIRE}
        people |= {t.manager_id for t in talks if t.manager_id}
        names = {h.id: h.full_name for h in session.scalars(select(Hire).where(Hire.id.in_(hires)))}
        staff = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(people)))}
    names |= {pid: p.full_name for pid, p in staff.items()}
    groups: dict[str, dict[str, Any]] = {}
    for t in talks:
        manager = staff.get(t.manager_id or "")
        key = t.manager_id or "-"
        group = groups.setdefault(
            key,
            {
                "leidinggevende": manager.full_name if manager else "onbekend",
                "team": manager.team if manager else "",
                "rijen": [],
            },
        )
        form, kind = _form_state(t, day)
        group["rijen"].append(
            {
                "medewerker": names.get(t.case_id, t.case_id),
                "id": t.case_id,
                "gesprek": t.title,
                "datum": date_nl(t.due_date),
                "te_laat": t.due_date < day,
                "formulier": form,
                "klasse": kind,
            }
        )
    return list(groups.values())


@router.get(PAGE, response_class=HTMLResponse)
def talks_page(request: Request) -> Response:
    """The open talks per leidinggevende with their forms' state."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    asked = request.query_params.get("dagen", "")
    days = int(asked) if asked.isdigit() and int(asked) in WINDOWS else 90
    with runtime(request).factory() as session:
        every = cycle_rows(session, viewer.municipality, today())
    context = {
        **frame(request, viewer, PAGE),
        "groepen": _talks(request, viewer, days),
        "cycli": every,
        "dagen": days,
        "vensters": WINDOWS,
    }
    return render(request, "werkplek/gesprekken.html", context)
