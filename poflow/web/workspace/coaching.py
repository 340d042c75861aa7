"""The coach report in the workspace (issue 21, item 6; LBC-3): `/coaching`, for P&O advisers
and the loopbaancoach, shows the yearly career-coaching report that `poflow coach report` prints
and the coaching flow publishes, built by the same report_for from name-free records: counts
only, never a name or a note (LBC-3)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from poflow.auth.viewer import Viewer
from poflow.coaching.render import count_tables, heading_lines, target_lines
from poflow.coaching.report import DOMAIN_TITLE, GOALS_TITLE, domain_table, goal_table
from poflow.coaching.status import report_for
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.web.workspace.frame import frame, render, require, runtime

__all__ = ["router"]

router = APIRouter()
PAGE = "/coaching"
YEARS_BACK = 5  # the report years offered, counted back from this one


@router.get(PAGE, response_class=HTMLResponse)
def coach_report_page(request: Request) -> Response:
    """The report of the chosen year (this year by default), as of today: counts only."""
    viewer = require(request, Role.PO_ADVISEUR, Role.LOOPBAANCOACH)
    if not isinstance(viewer, Viewer):
        return viewer
    day = today()
    years = list(range(day.year, day.year - YEARS_BACK, -1))
    asked = request.query_params.get("jaar", "")
    year = int(asked) if asked.isdigit() and int(asked) in years else day.year
    rt = runtime(request)
    with rt.factory() as session:
        report = report_for(session, rt.config(viewer.municipality), year=year, as_of=day)
    heading = heading_lines(report)
    context = {
        **frame(request, viewer, PAGE),
        "kop": heading[0],
        "onder": heading[1:],
        "jaar": year,
        "jaren": years,
        "tabellen": [
            (DOMAIN_TITLE, domain_table(report), True),
            (GOALS_TITLE, goal_table(report), False),
            *(
                (title, [["", "Aantal"], *([label, str(n)] for label, n in rows)], False)
                for title, rows in count_tables(report)
            ),
        ],
        "streef": target_lines(report),
    }
    return render(request, "werkplek/coaching.html", context)
