"""The introduction sessions of the workspace (issue 21, item 6), for P&O: `/introductie` shows
the series (the start meeting every six weeks, the evaluation every three months, the classroom
modules), the sessions planned with their invitees and free seats, and the sessions whose
attendance is still to record; `/introductie/{session_id}` lists the invitees by name with a
form per invitee to record present or absent, through record_attendances as `poflow intro
attendance` does (INT-3, INT-4), audited as the logged-in P&O adviser (X-4). `/introductie` also
imports the learning platform's e-learning completions from an uploaded CSV or XLSX through
import_completion_rows, as `poflow intro elearning-import` does (INT-4: every row or none), and
opens a new colleague's programme (poflow/web/workspace/introductie_hire.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import IllegalTransition, ImportRejected, NotFound
from poflow.auth.viewer import Viewer
from poflow.db.models import Action, Hire
from poflow.introduction.attendance import record_attendances
from poflow.introduction.completions import COLUMNS, import_completion_rows
from poflow.introduction.config import section
from poflow.introduction.kinds import OFFER
from poflow.introduction.models import Enrolment, IntroSession
from poflow.introduction.rules import may_record_attendance
from poflow.introduction.states import HOLDS_A_SEAT, ON_ATTENDANCE_LIST, ParticipationStatus
from poflow.introduction.status import sessions_between
from poflow.kernel.calendar import TZ, today
from poflow.kernel.vocabulary import CaseType, Role
from poflow.kernel.wording import date_nl
from poflow.rows import XLSX_SUFFIXES, parse_rows
from poflow.states import HireState
from poflow.web.workspace.frame import Form, form_csrf, frame, read_form, render, require, runtime
from poflow.web.workspace.introductie_hire import upload_problems

__all__ = ["router"]

router = APIRouter()
PAGE = "/introductie"
STATUS_NL = {
    ParticipationStatus.INVITED: ("uitgenodigd", "open"),
    ParticipationStatus.ACCEPTED: ("komt", "open"),
    ParticipationStatus.DECLINED: ("afgemeld", "te-laat"),
    ParticipationStatus.ATTENDED: ("aanwezig", "klaar"),
    ParticipationStatus.MISSED: ("afwezig", "te-laat"),
    ParticipationStatus.SPILLED: ("naar volgende (vol)", "open"),
    ParticipationStatus.CANCELLED: ("vervallen", "open"),
}
LOOK_BACK_DAYS = 60  # sessions this far back may still wait for their attendance
LOOK_AHEAD_DAYS = 365
ELEARNING = PAGE + "/elearning"


def _series(request: Request, municipality: str) -> list[dict[str, Any]]:
    cfg = section(runtime(request).config(municipality))
    out = []
    for key in cfg.series_keys():
        s, _ = cfg.series_of(key)
        every = f"elke {s.every_weeks} weken" if s.every_weeks else f"elke {s.every_months} maanden"
        out.append({"titel": s.title, "ritme": every, "plaats": s.location, "plaatsen": s.capacity})
    return out


def _overview(request: Request, viewer: Viewer) -> dict[str, Any]:
    day = today()
    with runtime(request).factory() as session:
        found = sessions_between(
            session,
            viewer.municipality,
            day - timedelta(days=LOOK_BACK_DAYS),
            day + timedelta(days=LOOK_AHEAD_DAYS),
        )
    seat = {s.value for s in HOLDS_A_SEAT}
    listed = {s.value for s in ON_ATTENDANCE_LIST}
    upcoming, to_record = [], []
    for s in found:
        row = {
            "id": s.id,
            "titel": s.title,
            "datum": date_nl(s.session_date),
            "plaatsen": s.capacity,
            "bezet": sum(n for k, n in s.counts.items() if k in seat),
            "uitgenodigd": sum(s.counts.values()),
            "open": sum(n for k, n in s.counts.items() if k in listed),
        }
        if s.session_date >= day:
            upcoming.append(row)
        elif row["open"]:
            to_record.append(row)
    return {"komend": upcoming, "vastleggen": to_record}


def _not_enrolled(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    """Running hires of an aanvullende groep (INT-1) whose leidinggevende was offered the
    programme and who are not enrolled: P&O may enrol them on their own page."""
    with runtime(request).factory() as session:
        rows = session.execute(
            select(Hire.id, Hire.given_name, Hire.family_name, Hire.team, Hire.first_working_day)
            .join(
                Action,
                (Action.case_type == CaseType.HIRE)
                & (Action.case_id == Hire.id)
                & (Action.kind == OFFER),
            )
            .outerjoin(Enrolment, Enrolment.hire_id == Hire.id)
            .where(
                Hire.municipality == viewer.municipality,
                Hire.state == HireState.PLANNED,
                Enrolment.id.is_(None),
            )
            .order_by(Hire.first_working_day, Hire.id)
        ).all()
    return [
        {
            "id": r.id,
            "naam": f"{r.given_name} {r.family_name}",
            "team": r.team,
            "start": date_nl(r.first_working_day),
        }
        for r in rows
    ]


def _imported(request: Request) -> str | None:
    """What the e-learning import just did, said on the page it redirected to."""
    asked = request.query_params
    done, same = asked.get("afgerond", ""), asked.get("al", "")
    if asked.get("elearning") == "leeg":
        return "Kies eerst een bestand. Er is niets ingelezen."
    if done.isdigit() and same.isdigit():
        return f"E-learning ingelezen: {done} afgerond, {same} waren al afgerond."
    return None


def _sessions(
    request: Request, viewer: Viewer, problems: list[str] | None = None, status: int = 200
) -> Response:
    context = {
        **frame(request, viewer, PAGE),
        **_overview(request, viewer),
        "aan_te_melden": _not_enrolled(request, viewer),
        "reeksen": _series(request, viewer.municipality),
        "csrf_elearning": form_csrf(request, "introductie:elearning"),
        "ingelezen": None if problems else _imported(request),
        "problemen": problems or [],
    }
    return render(request, "werkplek/introductie.html", context, status)


@router.get(PAGE, response_class=HTMLResponse)
def sessions_page(request: Request) -> Response:
    """The series, the sessions to come and those whose attendance is still open."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return _sessions(request, viewer)


@router.post(ELEARNING, response_class=HTMLResponse)
async def elearning_post(request: Request) -> Response:
    """Import e-learning completions from an uploaded CSV or XLSX (INT-4), as `poflow intro
    elearning-import`: every row or none; the problems by row and column in Dutch."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, "introductie:elearning")
    if not isinstance(form, Form):
        return form
    name, content = form.files.get("bestand", ("", b""))
    if not name or not content:
        return RedirectResponse(f"{PAGE}?elearning=leeg", 303)
    source = Path(Path(name).name)
    xlsx = source.suffix.lower() in XLSX_SUFFIXES

    def run() -> tuple[int, int]:
        rt = runtime(request)
        with rt.factory() as session, session.begin():
            ctx = rt.context(session, viewer.municipality, today(), actor=viewer.person_id)
            rows = parse_rows(content, source.name, COLUMNS, xlsx=xlsx)
            result = import_completion_rows(ctx, rows, source=source, by=viewer.person_id)
            return result.completed, result.unchanged

    try:
        completed, unchanged = await run_in_threadpool(run)
    except ImportRejected as exc:
        problems = upload_problems(exc.problems)
        return await run_in_threadpool(_sessions, request, viewer, problems, 422)
    return RedirectResponse(f"{PAGE}?afgerond={completed}&al={unchanged}", 303)


def _own_session(session: Any, viewer: Viewer, session_id: int) -> IntroSession:
    """The session when it is of the viewer's municipality; 404 as an unknown one otherwise."""
    found = session.get(IntroSession, session_id)
    if found is None or found.municipality != viewer.municipality:
        raise HTTPException(status_code=404)
    return found


def _session(request: Request, viewer: Viewer, session_id: int) -> dict[str, Any]:
    with runtime(request).factory() as session:
        s = _own_session(session, viewer, session_id)
        ids = [p.hire_id for p in s.participants]
        hires = {h.id: h for h in session.scalars(select(Hire).where(Hire.id.in_(ids)))}
        may_record = may_record_attendance(today(), s.session_date)
        rows = []
        for p in s.participants:
            label, kind = STATUS_NL[p.status]
            hire = hires.get(p.hire_id)
            rows.append(
                {
                    "hire_id": p.hire_id,
                    "naam": hire.full_name if hire else p.hire_id,
                    "team": hire.team if hire else "",
                    "status": label,
                    "klasse": kind,
                    "formulier": may_record and p.status in ON_ATTENDANCE_LIST,
                }
            )
        return {
            "sessie": {
                "id": s.id,
                "titel": s.title,
                "datum": date_nl(s.session_date),
                "tijd": f"{s.starts_at.astimezone(TZ):%H:%M} tot {s.ends_at.astimezone(TZ):%H:%M}",
                "plaats": s.location,
                "plaatsen": s.capacity,
                "bezet": sum(p.status in HOLDS_A_SEAT for p in s.participants),
                "kan_vastleggen": may_record,
            },
            "genodigden": rows,
        }


def _detail(
    request: Request, viewer: Viewer, session_id: int, problem: str | None, status: int
) -> Response:
    context = {
        **frame(request, viewer, PAGE),
        **_session(request, viewer, session_id),
        "csrf": form_csrf(request, f"introductie:{session_id}"),
        "vastgelegd": request.query_params.get("vastgelegd"),
        "probleem": problem,
    }
    return render(request, "werkplek/introductie_sessie.html", context, status)


@router.get(PAGE + "/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: int) -> Response:
    """One session: when and where, its invitees by name, and the attendance forms."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return _detail(request, viewer, session_id, None, 200)


@router.post(PAGE + "/{session_id}", response_class=HTMLResponse)
async def attendance_post(request: Request, session_id: int) -> Response:
    """Record one invitee present or absent, as `poflow intro attendance` does."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, f"introductie:{session_id}")
    if not isinstance(form, Form):
        return form
    hire_id, answer = form.one("medewerker"), form.one("aanwezig")
    if answer not in ("ja", "nee"):
        problem = "Kies aanwezig of afwezig. Er is niets vastgelegd."
        return await run_in_threadpool(_detail, request, viewer, session_id, problem, 422)

    def record() -> None:
        rt = runtime(request)
        with rt.factory() as session, session.begin():
            _own_session(session, viewer, session_id)
            ctx = rt.context(session, viewer.municipality, today(), actor=viewer.person_id)
            present, absent = ([hire_id], []) if answer == "ja" else ([], [hire_id])
            record_attendances(ctx, session_id, present=present, absent=absent, by=ctx.actor)

    try:
        await run_in_threadpool(record)
    except (NotFound, IllegalTransition):  # not invited, or the session is still to come
        problem = (
            "Dit kan niet worden vastgelegd: deze persoon staat niet op de lijst van deze "
            "bijeenkomst, of de bijeenkomst moet nog plaatsvinden. Er is niets vastgelegd."
        )
        return await run_in_threadpool(_detail, request, viewer, session_id, problem, 422)
    return RedirectResponse(f"{PAGE}/{session_id}?vastgelegd={hire_id}", status_code=303)
