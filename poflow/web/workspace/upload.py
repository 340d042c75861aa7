"""A P&O adviser imports a staff or hires file (CSV or .xlsx) in the workspace (issue 21, item
3): `/medewerkers/importeren`.

Uploading shows a dry run (the importer's `plan_*`): per row what would be created or changed,
and every problem by row and column; nothing is written but the file itself, kept server-side
under the SHA-256 of its content (poflow/import_uploads.py). Confirming names that hash and the
hash of the plan shown: the kept file is checked again, and imported (`apply_*`, audited with the
adviser as actor) only when its plan is still the one shown; otherwise the new plan is shown.
Rows with problems are left out and reported; the others are imported. A staff import's new
approval roles wait for a second person, exactly as with `poflow import staff`."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import ImportRejected
from poflow.auth.viewer import Viewer
from poflow.engine import Context
from poflow.import_uploads import digest_of, forget_upload, keep_upload, kept_upload
from poflow.importer import (
    HIRE_COLUMNS,
    STAFF_COLUMNS,
    apply_hires,
    apply_staff,
    plan_hires,
    plan_staff,
)
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.rows import XLSX_SUFFIXES, ImportPlan, ImportResult, RowOutcome, parse_rows
from poflow.runtime import Runtime
from poflow.web.workspace.frame import (
    Form,
    form_csrf,
    frame,
    message,
    read_form,
    render,
    require,
    runtime,
)
from poflow.web.workspace.import_wording import ROLE_LABELS, column_label, dutch_reason

__all__ = ["router"]

router = APIRouter()
PATH = "/medewerkers/importeren"
UPLOAD, CONFIRM = "importeren", "importeren-bevestigen"
KINDS = {"hires": "nieuwe medewerkers", "staff": "personeel en rollen"}
OUTCOMES = {
    RowOutcome.NEW: "Nieuw",
    RowOutcome.CHANGED: "Gewijzigd",
    RowOutcome.UNCHANGED: "Ongewijzigd",
    RowOutcome.REFUSED: "Niet geïmporteerd",
}


def _page(request: Request, viewer: Viewer, context: dict[str, Any], status: int) -> Response:
    full = {
        **frame(request, viewer, "/medewerkers/nieuw"),
        "csrf": form_csrf(request, UPLOAD),
        "confirm_csrf": form_csrf(request, CONFIRM),
        "kinds": KINDS,
        "kind": "hires",
        "errors": {},
        "key": None,
        "notice": None,
        "file_problems": [],
        **context,
    }
    return render(request, "werkplek/importeren.html", full, status)


@router.get(PATH)
def upload_form(request: Request) -> Response:
    """The upload form: which kind of file, and the file."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    return _page(request, viewer, {}, 200)


@router.post(PATH)
async def upload_post(request: Request) -> Response:
    """Keep the uploaded file and show its dry run; nothing else is written."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, UPLOAD)
    if isinstance(form, Response):
        return form
    kind = form.one("soort")
    name, content = form.files.get("bestand", ("", b""))
    errors = {}
    if kind not in KINDS:
        errors["soort"] = "Soort bestand: kies personeel of nieuwe medewerkers."
    if not content:
        errors["bestand"] = "Bestand: kies een CSV- of Excel-bestand (.csv of .xlsx)."
    if errors:
        return await run_in_threadpool(
            _page, request, viewer, {"errors": errors, "kind": kind}, 400
        )
    return await run_in_threadpool(_preview, request, viewer, kind, name, content)


def _preview(request: Request, viewer: Viewer, kind: str, name: str, content: bytes) -> Response:
    """Keep the file for its confirmation and show its dry run (which writes nothing)."""
    rt = runtime(request)
    with rt.factory() as db, db.begin():
        key = keep_upload(
            db,
            person_id=viewer.person_id,
            municipality=viewer.municipality,
            kind=kind,
            file_name=name,
            content=content,
        )
        context = _dry_run(rt, db, viewer, kind, name, content)
    return _page(request, viewer, {**context, "key": key}, 200)


def _dry_run(
    rt: Runtime, db: Any, viewer: Viewer, kind: str, name: str, content: bytes
) -> dict[str, Any]:
    """The preview of the file: its plan per row and every problem, or the file's own problems."""
    try:
        plan = _plan(rt, db, viewer, kind, name, content)
    except ImportRejected as exc:
        return {"kind": kind, "file_name": name, "file_problems": exc.problems}
    return {"kind": kind, "file_name": name, **_shown(plan, kind)}


def _plan(rt: Runtime, db: Any, viewer: Viewer, kind: str, name: str, content: bytes) -> ImportPlan:
    """The importer's dry run of the file, for the adviser's own municipality only."""
    configs = {viewer.municipality: rt.config(viewer.municipality)}
    xlsx = content[:4] == b"PK\x03\x04" or any(name.lower().endswith(s) for s in XLSX_SUFFIXES)
    shown = name or "bestand"
    if kind == "staff":
        rows = parse_rows(content, shown, STAFF_COLUMNS, xlsx=xlsx)
        return plan_staff(db, rows, configs, source=shown, reask=True)
    rows = parse_rows(content, shown, HIRE_COLUMNS, xlsx=xlsx)
    return plan_hires(db, rows, configs, source=shown, today=today())


def plan_digest(plan: ImportPlan) -> str:
    """A hash of what the plan would do: confirming imports only the plan that was shown."""
    return hashlib.sha256(repr(plan.rows).encode()).hexdigest()


def _shown(plan: ImportPlan, kind: str) -> dict[str, Any]:
    """The plan as the preview page shows it, in Dutch."""
    rows = []
    for r in plan.rows:
        rec = plan.records[r.row]
        what = [column_label(f) for f in r.fields]
        what += [f"krijgt rol {ROLE_LABELS.get(x, x)}" for x in r.roles_added]
        what += [
            f"rol {ROLE_LABELS.get(x, x)} wacht op bevestiging door een tweede persoon"
            for x in r.roles_waiting
        ]
        what += [f"verliest rol {ROLE_LABELS.get(x, x)}" for x in r.roles_removed]
        rows.append(
            {
                "row": r.row,
                "key": r.key,
                "name": f"{rec.get('given_name', '')} {rec.get('family_name', '')}".strip(),
                "outcome": r.outcome.value,
                "outcome_text": OUTCOMES[r.outcome],
                "what": what,
            }
        )
    problems = [
        {"row": p.row, "column": column_label(p.column), "why": dutch_reason(p.why)}
        for r in plan.rows
        for p in r.problems
    ]
    counts = {o.value: plan.count(o) for o in RowOutcome}
    writes = counts["new"] + counts["changed"]
    return {
        "rows": rows,
        "problems": problems,
        "counts": counts,
        "writes": writes,
        "plan": plan_digest(plan),
    }


@router.post(f"{PATH}/bevestigen")
async def confirm_post(request: Request) -> Response:
    """Import the kept file when its plan is still the one shown; else show the new plan."""
    viewer = await run_in_threadpool(require, request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    form = await read_form(request, CONFIRM)
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_confirm, request, viewer, form)


def _confirm(request: Request, viewer: Viewer, form: Form) -> Response:
    rt = runtime(request)
    kind = form.one("soort")
    with rt.factory() as db, db.begin():
        kept = kept_upload(
            db,
            form.one("bestand"),
            person_id=viewer.person_id,
            municipality=viewer.municipality,
            kind=kind,
        )
        if kept is None:
            text = (
                "Dit bestand is niet (meer) bewaard: een upload blijft een uur klaar om te "
                "importeren. Upload het bestand opnieuw. Er is niets gewijzigd."
            )
            return message(request, viewer, "Upload het bestand opnieuw", text, 410)
        name, content = kept.file_name, kept.content
        try:
            plan = _plan(rt, db, viewer, kind, name, content)
        except ImportRejected:
            plan = None
        if plan is None or plan_digest(plan) != form.one("plan"):
            db.rollback()
            return _changed(request, viewer, kind, name, content)
        if kind == "staff":

            def context(slug: str) -> Context:
                return rt.context(db, slug, today(), actor=viewer.person_id)

            result = apply_staff(db, plan, actor=viewer.person_id, contexts=context)
        else:
            result = apply_hires(db, plan, rt.configs, actor=viewer.person_id)
        forget_upload(db, kept)
    return RedirectResponse(_done_url(kind, result, plan.count(RowOutcome.REFUSED)), 303)


def _changed(request: Request, viewer: Viewer, kind: str, name: str, content: bytes) -> Response:
    """The new dry run of a file whose plan changed since it was shown (nothing imported)."""
    with runtime(request).factory() as db:
        context = _dry_run(runtime(request), db, viewer, kind, name, content)
    key = digest_of(content)
    notice = (
        "Sinds het voorbeeld is er iets veranderd. Er is niets geïmporteerd: bekijk het nieuwe "
        "voorbeeld en bevestig opnieuw."
    )
    return _page(request, viewer, {**context, "key": key, "notice": notice}, 409)


def _done_url(kind: str, result: ImportResult, refused: int) -> str:
    return (
        f"{PATH}/klaar?soort={kind}&nieuw={result.created}&gewijzigd={result.updated}"
        f"&ongewijzigd={result.unchanged}&wachtend={result.waiting}&overgeslagen={refused}"
    )


@router.get(f"{PATH}/klaar")
def done(request: Request) -> Response:
    """What the import did, in numbers (post/redirect/get)."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    q = request.query_params
    counts = {
        k: int(v) if (v := q.get(k, "0")).isdigit() else 0
        for k in ("nieuw", "gewijzigd", "ongewijzigd", "wachtend", "overgeslagen")
    }
    text = (
        f"Geïmporteerd: {counts['nieuw']} nieuw, {counts['gewijzigd']} gewijzigd, "
        f"{counts['ongewijzigd']} ongewijzigd."
    )
    if counts["overgeslagen"]:
        text += f" {counts['overgeslagen']} rij(en) met fouten zijn niet geïmporteerd."
    if counts["wachtend"]:
        text += (
            f" {counts['wachtend']} rol(len) wachten op bevestiging door een tweede persoon "
            "(een andere P&O-adviseur of de gemeentesecretaris, op de pagina Rollen): tot dan "
            "gelden die rollen niet."
        )
    if q.get("soort") == "hires" and counts["nieuw"]:
        text += " poflow plant hun inwerken bij de eerstvolgende dagelijkse ronde."
    return message(request, viewer, "Import klaar", text, 200, ok=True)
