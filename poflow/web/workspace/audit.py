"""The audit trail for a logged-in P&O adviser (issue 21, item 7): `GET /audit` shows the
municipality's audit rows, newest first, filtered by case, person and date range, 50 a page;
`GET /audit.csv` exports the filtered rows (poflow.audit_trail: formula-safe cells)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from poflow.audit_trail import AuditFilter, audit_csv, audit_page, audit_rows
from poflow.auth.viewer import Viewer
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import moment_nl
from poflow.web.workspace.frame import frame, render, require, runtime

__all__ = ["PAGE", "read_filter", "router"]

PAGE = "/audit"
SIZE = 50
MAX_FIELD = 80  # an id is shorter; a longer value is refused by name
router = APIRouter()


def read_filter(request: Request) -> tuple[AuditFilter, dict[str, str], dict[str, str]]:
    """The filter from the query string, the values as sent (to show them again) and the
    problems per field (Dutch; an empty dict when all is well)."""
    params = request.query_params
    sent = {k: params.get(k, "").strip() for k in ("zaak", "persoon", "van", "tot")}
    problems: dict[str, str] = {}
    for key in ("zaak", "persoon"):
        if len(sent[key]) > MAX_FIELD:
            problems[key] = f"Vul hoogstens {MAX_FIELD} tekens in."
    days: dict[str, date | None] = {}
    for key, label in (("van", "Van"), ("tot", "Tot en met")):
        try:
            days[key] = date.fromisoformat(sent[key]) if sent[key] else None
        except ValueError:
            days[key] = None
            problems[key] = f"{label}: vul een datum in als jjjj-mm-dd, bijvoorbeeld 2027-03-01."
    since, until = days["van"], days["tot"]
    if since and until and until < since:
        problems["tot"] = "Tot en met ligt vóór Van: kies een latere datum."
    wanted = AuditFilter(sent["zaak"], sent["persoon"], since, until)
    return wanted, sent, problems


def _page_number(request: Request) -> int:
    value = request.query_params.get("pagina", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


@router.get(PAGE, response_class=HTMLResponse)
def audit_trail(request: Request) -> Response:
    """The municipality's audit trail: filters, one page of rows and the CSV link."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    wanted, sent, problems = read_filter(request)
    found = None
    if not problems:
        with runtime(request).factory() as db:
            found = audit_page(
                db, viewer.municipality, wanted, page=_page_number(request), size=SIZE
            )
    query = {k: v for k, v in sent.items() if v}

    def page_href(number: int) -> str:
        return f"{PAGE}?{urlencode({**query, 'pagina': number})}"

    context = {
        **frame(request, viewer, PAGE),
        "sent": sent,
        "problems": problems,
        "found": found,
        "moment_nl": moment_nl,
        "csv_href": f"{PAGE}.csv" + (f"?{urlencode(query)}" if query else ""),
        "page_href": page_href,
    }
    return render(request, "werkplek/audit.html", context, 400 if problems else 200)


@router.get(PAGE + ".csv")
def audit_export(request: Request) -> Response:
    """The filtered rows as CSV, oldest first (the file name says the municipality)."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    wanted, _sent, problems = read_filter(request)
    if problems:
        text = " ".join(problems.values())
        return Response(f"{text}\n", status_code=400, media_type="text/plain; charset=utf-8")
    with runtime(request).factory() as db:
        body = audit_csv(audit_rows(db, viewer.municipality, wanted))
    name = f"audit-{viewer.municipality}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
