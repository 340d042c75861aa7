"""A round's last steps as workspace pages (issue 21, item 5), each calling the service of
`poflow recruitment <command>`: the offer P&O proposes (REC-8, `offer`), the agreed terms P&O
records (REC-9, `terms`), the contract P&O reports drawn up (REC-10, `contract`: then the round
goes on as `advance` does) and withdrawing the vacancy (REC-11, `cancel`); the round's flow run
and "Besluiten verwerken" are in werving_verloop. The decisions and confirmations stay on the
asked people's own link pages (REC-8, REC-9)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import InputRefused
from poflow.addresses import check_address
from poflow.auth.viewer import Viewer
from poflow.engine import Context
from poflow.kernel.vocabulary import ContractType
from poflow.recruitment.appointment import propose_offer, record_terms
from poflow.recruitment.contract import mark_contract_done
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.rounds import cancel_round
from poflow.recruitment.stages import advance_round
from poflow.recruitment.states import CandidateState
from poflow.web.workspace.frame import Form, require
from poflow.web.workspace.werving_formulier import (
    Reading,
    StepForm,
    post_step,
    purpose_of,
    render_step,
)

__all__ = ["one_form", "router", "step_page"]

router = APIRouter()
_CONTRACTS = [(c.value, c.value) for c in ContractType]


def one_form(slug: str, heading: str, button: str, fields: Any, intro: Any = "") -> Any:
    """The forms of a step with one form; `fields` and `intro` as is or a function of
    (session, round)."""

    def forms_of(session: Session, rnd: RecruitmentRound, viewer: Viewer) -> list[StepForm]:
        return [
            StepForm(
                slug,
                heading,
                f"/werving/{rnd.id}/{slug}",
                button,
                fields(session, rnd) if callable(fields) else fields,
                purpose_of(slug, rnd.id),
                intro=intro(session, rnd) if callable(intro) else intro,
            )
        ]

    return forms_of


def step_page(request: Request, round_id: str, slug: str, forms_of: Any) -> Response:
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    return render_step(request, viewer, round_id, slug, forms_of)


# -- the offer (REC-8) ----------------------------------------------------------------------------
def _offer_fields(session: Session, rnd: RecruitmentRound) -> list[dict[str, Any]]:
    cands = session.scalars(
        select(Candidate)
        .where(Candidate.round_id == rnd.id, Candidate.state == CandidateState.ROUND_TWO)
        .order_by(Candidate.tier, Candidate.seq)
    )
    return [
        {
            "name": "kandidaat",
            "label": "Aanbod aan",
            "kind": "keuze",
            "required": True,
            "options": [(c.id, c.full_name) for c in cands],
            "hint": "Jij, het MT-lid en de collega in de commissie beslissen daarna elk met de "
            "eigen link uit de mail.",
        }
    ]


_OFFER = one_form("aanbod", "Wie krijgt het aanbod", "Aanbod voorstellen", _offer_fields)


def _read_offer(form: Form, viewer: Viewer) -> Reading:
    chosen = form.one("kandidaat")
    reading = Reading({"kandidaat": [chosen]}, args=(chosen,), kwargs={"by": viewer.person_id})
    if not chosen:
        reading.errors["kandidaat"] = "Kies de kandidaat die het aanbod krijgt."
    return reading


@router.get("/werving/{round_id}/aanbod", response_class=HTMLResponse)
def offer_page(request: Request, round_id: str) -> Response:
    """The offer form (the round's P&O adviser, after the second interview round)."""
    return step_page(request, round_id, "aanbod", _OFFER)


@router.post("/werving/{round_id}/aanbod", response_class=HTMLResponse)
async def offer_post(request: Request, round_id: str) -> Response:
    """Propose the offer as `poflow recruitment offer` does; three decide by link (REC-8)."""
    return await post_step(request, round_id, "aanbod", _OFFER, _read_offer, propose_offer)


# -- the terms (REC-9) ----------------------------------------------------------------------------
_TERMS = one_form(
    "voorwaarden",
    "De afgesproken voorwaarden",
    "Voorwaarden ter bevestiging sturen",
    [
        {"name": "start", "label": "Eerste werkdag", "kind": "date", "required": True},
        {
            "name": "contract",
            "label": "Soort contract",
            "kind": "select",
            "required": True,
            "options": [("", "Kies…"), *_CONTRACTS],
        },
        {
            "name": "maanden",
            "label": "Duur in maanden",
            "kind": "number",
            "hint": "Leeg bij een vast contract; bij elk ander contract verplicht.",
        },
        {
            "name": "werkmail",
            "label": "E-mailadres op het werk",
            "kind": "email",
            "required": True,
            "autocomplete": "off",
            "hint": "Het eigen adres van de nieuwe collega.",
        },
    ],
    "De leidinggevende en jij bevestigen de voorwaarden daarna elk met de eigen link "
    "(vierogenprincipe).",
)


def _read_terms(form: Form, viewer: Viewer) -> Reading:
    values = {k: form.one(k) for k in ("start", "contract", "maanden", "werkmail")}
    reading = Reading(values)
    start: date | None = None
    try:
        start = date.fromisoformat(values["start"])
    except ValueError:
        reading.errors["start"] = "Vul de eerste werkdag in, bijvoorbeeld 2027-05-03."
    if values["contract"] not in {c for c, _ in _CONTRACTS}:
        reading.errors["contract"] = "Kies het soort contract."
    months: int | None = None
    if values["maanden"]:
        if values["maanden"].isdigit() and 1 <= int(values["maanden"]) <= 120:
            months = int(values["maanden"])
        else:
            reading.errors["maanden"] = "Vul een aantal maanden in van 1 tot en met 120."
    elif values["contract"] and ContractType(values["contract"]).has_months:
        reading.errors["maanden"] = (
            "Vul de duur in maanden in; alleen een vast contract heeft geen."
        )
    try:
        email = check_address(values["werkmail"], smtputf8=False, field="werkmail")
    except InputRefused:
        reading.errors["werkmail"] = "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."
        email = ""
    reading.kwargs = {
        "by": viewer.person_id,
        "start_date": start,
        "contract_type": values["contract"],
        "contract_months": months,
        "work_email": email,
    }
    return reading


@router.get("/werving/{round_id}/voorwaarden", response_class=HTMLResponse)
def terms_page(request: Request, round_id: str) -> Response:
    """The terms form (the round's P&O adviser, after the offer was agreed)."""
    return step_page(request, round_id, "voorwaarden", _TERMS)


@router.post("/werving/{round_id}/voorwaarden", response_class=HTMLResponse)
async def terms_post(request: Request, round_id: str) -> Response:
    """Record the terms as `poflow recruitment terms` does; two confirm by own link (REC-9)."""
    return await post_step(request, round_id, "voorwaarden", _TERMS, _read_terms, record_terms)


# -- the contract drawn up (REC-10) ---------------------------------------------------------------
_CONTRACT = one_form(
    "arbeidsovereenkomst",
    "Arbeidsovereenkomst opgesteld",
    "Melden dat de arbeidsovereenkomst is opgesteld",
    [],
    "Je kreeg een mail met het concept. Meld hier dat de arbeidsovereenkomst is opgesteld op "
    "de afgesproken voorwaarden; daarna wordt de kandidaat een nieuwe medewerker en begint het "
    "inwerken.",
)


def _read_nothing(form: Form, viewer: Viewer) -> Reading:
    return Reading({}, kwargs={"by": viewer.person_id})


def _contract(ctx: Context, round_id: str, *, by: str) -> bool:
    """`poflow recruitment contract`: the task done, then the round goes on (the hire)."""
    done = mark_contract_done(ctx, round_id, by=by)
    advance_round(ctx, round_id)
    return done


@router.get("/werving/{round_id}/arbeidsovereenkomst", response_class=HTMLResponse)
def contract_page(request: Request, round_id: str) -> Response:
    """Report the contract drawn up (the round's P&O adviser, once the terms are agreed)."""
    return step_page(request, round_id, "arbeidsovereenkomst", _CONTRACT)


@router.post("/werving/{round_id}/arbeidsovereenkomst", response_class=HTMLResponse)
async def contract_post(request: Request, round_id: str) -> Response:
    """Mark the contract task done, as its mailed link and the CLI do."""
    return await post_step(
        request, round_id, "arbeidsovereenkomst", _CONTRACT, _read_nothing, _contract
    )


# -- withdrawing the vacancy (REC-11) -------------------------------------------------------------
_CANCEL = one_form(
    "intrekken",
    "De vacature intrekken",
    "Vacature intrekken",
    [
        {
            "name": "toelichting",
            "label": "Toelichting (voor het dossier)",
            "kind": "text",
            "hint": "Bijvoorbeeld: de formatie is elders ingevuld.",
        },
        {"name": "zeker", "label": "Ja, trek deze vacature in", "kind": "checkbox"},
    ],
    "Kandidaten die nog in de ronde zijn krijgen een vriendelijk bericht. Dit kan niet worden "
    "teruggedraaid.",
)


def _read_cancel(form: Form, viewer: Viewer) -> Reading:
    values = {"toelichting": form.one("toelichting")[:500], "zeker": form.one("zeker")}
    reading = Reading(
        values, kwargs={"by": viewer.person_id, "note": values["toelichting"] or None}
    )
    if values["zeker"] != "ja":
        reading.errors["zeker"] = "Vink aan dat je de vacature wilt intrekken."
    return reading


@router.get("/werving/{round_id}/intrekken", response_class=HTMLResponse)
def cancel_page(request: Request, round_id: str) -> Response:
    """The withdrawal form (the round's P&O adviser)."""
    return step_page(request, round_id, "intrekken", _CANCEL)


@router.post("/werving/{round_id}/intrekken", response_class=HTMLResponse)
async def cancel_post(request: Request, round_id: str) -> Response:
    """Withdraw the vacancy as `poflow recruitment cancel` does."""
    return await post_step(request, round_id, "intrekken", _CANCEL, _read_cancel, cancel_round)
