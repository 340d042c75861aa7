"""A round's candidates as a workspace page (issue 21, item 5), each form calling the service of
`poflow recruitment <command>`: one application or a CSV/XLSX file of them, all or none (REC-4,
`candidates`: recruitment/intake.add_candidates), and how someone on the staff register works
here, for tiers 1-3 (REC-4, `standing`). P&O advisers and recruiters of the municipality."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow._exceptions import ImportRejected, InputRefused
from poflow.auth.viewer import Viewer
from poflow.recruitment.candidates import checked_person
from poflow.recruitment.intake import add_candidates, parse_candidates
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.register import set_standing
from poflow.recruitment.rules import Standing
from poflow.web.workspace.frame import Form, read_form, require, runtime
from poflow.web.workspace.werving import TIER_NL
from poflow.web.workspace.werving_formulier import (
    Reading,
    StepForm,
    post_step,
    purpose_of,
    render_step,
)
from poflow.web.workspace.werving_woorden import refusal_nl, row_problem_nl

__all__ = ["IMPORT_PATH", "PERSON_FIELDS", "router"]

router = APIRouter()
IMPORT_PATH = "/werving/importeren"  # one fixed path, so its upload limit applies (web/limits.py)
_LABELS = {
    "given_name": "Voornaam",
    "family_name": "Achternaam",
    "email": "E-mailadres",
    "tier": "Categorie",
    "consent_partners": "Toestemming partners",
    "consent_retention": "Toestemming bewaren",
    "referred_by": "Aangedragen door",
    "employee_id": "Personeelsnummer",
}
_TIERS = [("", "Kies…"), *((str(int(t)), label) for t, label in TIER_NL.items())]
PERSON_FIELDS = [
    {"name": "voornaam", "label": "Voornaam", "kind": "text", "required": True},
    {"name": "achternaam", "label": "Achternaam", "kind": "text", "required": True},
    {"name": "email", "label": "E-mailadres", "kind": "email", "required": True},
]
_FIELD_OF = {"given_name": "voornaam", "family_name": "achternaam", "email": "email"}


def _kandidaten(session: Session, rnd: RecruitmentRound, viewer: Viewer) -> list[StepForm]:
    one: list[dict[str, Any]] = [
        *PERSON_FIELDS,
        {
            "name": "categorie",
            "label": "Categorie (voorkeursbeleid)",
            "kind": "select",
            "required": True,
            "options": _TIERS,
        },
        {
            "name": "personeelsnummer",
            "label": "Personeelsnummer",
            "kind": "text",
            "hint": "Verplicht bij categorie 1 tot en met 3: de categorie wordt gecontroleerd in "
            "het personeelsbestand.",
        },
        {
            "name": "aangedragen",
            "label": "Aangedragen door (personeelsnummer)",
            "kind": "text",
            "hint": "Voor de aanbrengpremie; leeg als niemand de kandidaat aandroeg.",
        },
        {
            "name": "partners",
            "label": "Toestemming om het cv te delen met partners",
            "kind": "checkbox",
        },
        {
            "name": "bewaren",
            "label": "Toestemming om de gegevens langer te bewaren",
            "kind": "checkbox",
        },
    ]
    upload: list[dict[str, Any]] = [
        {
            "name": "bestand",
            "label": "Bestand (CSV of XLSX)",
            "kind": "file",
            "required": True,
            "hint": "Kolommen: " + ", ".join(_LABELS) + " (employee_id mag ontbreken). Alle rijen "
            "worden toegevoegd, of geen.",
        },
        {"name": "ronde", "label": "Ronde", "kind": "hidden", "value": rnd.id},
    ]
    return [
        StepForm(
            "kandidaten",
            "Eén kandidaat",
            f"/werving/{rnd.id}/kandidaten",
            "Kandidaat toevoegen",
            one,
            purpose_of("kandidaten", rnd.id),
        ),
        StepForm(
            "importeren",
            "Een bestand met kandidaten",
            IMPORT_PATH,
            "Bestand importeren",
            upload,
            purpose_of("importeren", rnd.id),
            upload=True,
        ),
    ]


def _read_one(form: Form, viewer: Viewer) -> Reading:
    names = ("voornaam", "achternaam", "email", "categorie", "personeelsnummer", "aangedragen")
    values: dict[str, Any] = {n: form.one(n) for n in names}
    values.update(partners=form.one("partners"), bewaren=form.one("bewaren"))
    reading = Reading(values)
    person: dict[str, str] = {}
    try:
        person = checked_person(
            values["voornaam"],
            values["achternaam"],
            values["email"],
            fields=("voornaam", "achternaam", "email"),
        )
    except InputRefused as exc:
        reading.errors[exc.field] = refusal_nl(exc)
    for name in ("voornaam", "achternaam", "email"):
        if not values[name]:
            reading.errors[name] = "Vul dit in."
    if values["categorie"] not in {"1", "2", "3", "4"}:
        reading.errors["categorie"] = "Kies de categorie van het voorkeursbeleid."
    elif values["categorie"] != "4" and not values["personeelsnummer"]:
        reading.errors["personeelsnummer"] = (
            "Vul het personeelsnummer in: categorie 1 tot en met 3 is intern."
        )
    row = {
        **person,
        "tier": int(values["categorie"] or 0),
        "consent_partners": values["partners"] == "ja",
        "consent_retention": values["bewaren"] == "ja",
        "referred_by_id": values["aangedragen"] or None,
        "employee_id": values["personeelsnummer"] or None,
    }
    reading.args = ([row],)
    return reading


def _one_refused(request: Request, viewer: Viewer, exc: Exception) -> Reading | None:
    """A refused application: the service's reason in Dutch at the field it is about."""
    if not isinstance(exc, ImportRejected):
        return None
    said = refusal_nl(Exception(exc.problems[0]) if exc.problems else exc)
    text = exc.problems[0] if exc.problems else ""
    field = (
        "personeelsnummer"
        if "tier" in text
        else ("aangedragen" if "referral" in text else "categorie")
    )
    return Reading({}, {field: said})


@router.get("/werving/{round_id}/kandidaten", response_class=HTMLResponse)
def candidates_page(request: Request, round_id: str) -> Response:
    """Add one candidate or import a file (P&O or recruiter, while the vacancy is published)."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    return render_step(request, viewer, round_id, "kandidaten", _standing_forms)


@router.post("/werving/{round_id}/kandidaten", response_class=HTMLResponse)
async def candidate_post(request: Request, round_id: str) -> Response:
    """Add one application as `poflow recruitment candidates --given-name …` does."""
    return await post_step(
        request,
        round_id,
        "kandidaten",
        _standing_forms,
        _read_one,
        add_candidates,
        name="kandidaten",
        on_refusal=_one_refused,
    )


@router.post(IMPORT_PATH, response_class=HTMLResponse)
async def import_post(request: Request) -> Response:
    """Import a file as `poflow recruitment candidates --file` does: all rows or none."""
    viewer = await run_in_threadpool(require, request)
    if not isinstance(viewer, Viewer):
        return viewer
    raw = await request.form()
    round_id = str(raw.get("ronde") or "")[:40]
    form = await read_form(request, purpose_of("importeren", round_id))
    if not isinstance(form, Form):
        return form
    name, content = form.files.get("bestand", ("", b""))
    source = name.rsplit("/", 1)[-1][:100] or "bestand"

    def read(form: Form, viewer: Viewer) -> Reading:
        reading = Reading({})
        if not content:
            reading.errors["bestand"] = "Kies een bestand (CSV of XLSX) met kandidaten."
            return reading
        try:
            rows = parse_candidates(
                content,
                source,
                xlsx=source.lower().endswith(".xlsx"),
                smtputf8=runtime(request).settings.smtputf8,
            )
        except ImportRejected as exc:
            shown = "; ".join(row_problem_nl(p, _LABELS) for p in exc.problems[:10])
            reading.errors["bestand"] = f"Het bestand is niet ingelezen: {shown}"
            return reading
        reading.args, reading.kwargs = (rows,), {"source": source}
        return reading

    def refused(request: Request, viewer: Viewer, exc: Exception) -> Reading | None:
        if not isinstance(exc, ImportRejected):
            return None
        shown = "; ".join(row_problem_nl(p, _LABELS) for p in exc.problems[:10])
        return Reading({}, {"bestand": f"Er is niemand toegevoegd: {shown}"})

    return await post_step(
        request,
        round_id,
        "kandidaten",
        _standing_forms,
        read,
        add_candidates,
        name="importeren",
        on_refusal=refused,
        form=form,
    )


# -- how someone on the staff register works here (REC-4, `standing`) ----------------------------
_STANDING_NL = {
    Standing.IN_DIENST: "in dienst (categorie 2)",
    Standing.BOVENFORMATIEF: "bovenformatief (categorie 1)",
    Standing.UWO: "oud-medewerker met UWO-uitkering (categorie 1)",
    Standing.DETACHERING: "gedetacheerd (categorie 3)",
    Standing.INLEEN: "ingeleend (categorie 3)",
}


def _standing_forms(session: Session, rnd: RecruitmentRound, viewer: Viewer) -> list[StepForm]:
    fields = [
        {"name": "nummer", "label": "Personeelsnummer", "kind": "text", "required": True},
        {
            "name": "dienstverband",
            "label": "Werkt hier als",
            "kind": "select",
            "required": True,
            "options": [(s.value, label) for s, label in _STANDING_NL.items()],
        },
    ]
    return [
        *_kandidaten(session, rnd, viewer),
        StepForm(
            "dienstverband",
            "Dienstverband in het personeelsbestand",
            f"/werving/{rnd.id}/dienstverband",
            "Dienstverband vastleggen",
            fields,
            purpose_of("dienstverband", rnd.id),
            intro="Categorie 1 en 3 gelden alleen als het personeelsbestand het zegt.",
        ),
    ]


def _read_standing(form: Form, viewer: Viewer) -> Reading:
    values = {
        "nummer": form.one("nummer")[:40],
        "dienstverband": form.one("dienstverband"),
    }
    reading = Reading(values)
    if not values["nummer"]:
        reading.errors["nummer"] = "Vul het personeelsnummer in."
    if values["dienstverband"] not in {s.value for s in Standing}:
        reading.errors["dienstverband"] = "Kies hoe deze persoon hier werkt."
        return reading
    reading.args = (values["nummer"], Standing(values["dienstverband"]))
    reading.kwargs = {"by": viewer.person_id}
    return reading


def _standing(ctx: Any, round_id: str, person_id: str, standing: Standing, *, by: str) -> bool:
    return set_standing(ctx, person_id, standing, by=by)


def _standing_refused(request: Request, viewer: Viewer, exc: Exception) -> Reading | None:
    return Reading(
        {},
        {"nummer": "Dit nummer staat niet in het personeelsbestand van deze gemeente."},
    )


@router.post("/werving/{round_id}/dienstverband", response_class=HTMLResponse)
async def standing_post(request: Request, round_id: str) -> Response:
    """Record a standing as `poflow recruitment standing` does."""
    return await post_step(
        request,
        round_id,
        "kandidaten",
        _standing_forms,
        _read_standing,
        _standing,
        name="dienstverband",
        on_refusal=_standing_refused,
    )
