"""A round's P&O and MT steps as workspace pages (issue 21, item 5), each calling the service
`poflow recruitment <command>` calls: the vacancy text (REC-3, `vacancy`), the selection for an
interview round (REC-4/5/7, `select`: a higher tier passed over needs a recorded reason), the
interviews (REC-6, `interviews`), the offer (REC-8, `offer`), the agreed terms (REC-9, `terms`),
the contract drawn up (REC-10, `contract`) and withdrawing the vacancy (REC-11, `cancel`). The
confirmations and decisions stay on each asked person's own link page (REC-9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import PreferenceRefused
from poflow.auth.viewer import Viewer
from poflow.db.models import Person, PersonRole
from poflow.engine import Context
from poflow.kernel.calendar import TZ
from poflow.kernel.vocabulary import Role
from poflow.recruitment.interviews import plan_interviews, record_refusal, select_for_round
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.rules import Tier
from poflow.recruitment.states import CandidateState, RoundState
from poflow.recruitment.vacancy import draft_vacancy
from poflow.web.workspace.frame import Form, require
from poflow.web.workspace.werving import TIER_NL
from poflow.web.workspace.werving_formulier import (
    Reading,
    StepForm,
    post_step,
    purpose_of,
    render_step,
)
from poflow.web.workspace.werving_stappen import take_step, uninvited

__all__ = ["router"]

router = APIRouter()
FormsOf = Any  # werving_formulier.FormsOf


def _get(request: Request, round_id: str, slug: str, forms_of: FormsOf) -> Response:
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    return render_step(request, viewer, round_id, slug, forms_of)


def _one(slug: str, heading: str, button: str, fields: Any, intro: str = "") -> FormsOf:
    """The forms of a step with one form; `fields` a list, or a function of (session, round)."""

    def forms_of(session: Session, rnd: RecruitmentRound, viewer: Viewer) -> list[StepForm]:
        shown = fields(session, rnd) if callable(fields) else fields
        return [
            StepForm(
                slug,
                heading,
                f"/werving/{rnd.id}/{slug}",
                button,
                shown,
                purpose_of(slug, rnd.id),
                intro=intro,
            )
        ]

    return forms_of


# -- the vacancy text (REC-3) ---------------------------------------------------------------------
_VACANCY = _one(
    "vacaturetekst",
    "De tekst van de vacature",
    "Tekst ter bevestiging sturen",
    [
        {
            "name": "tekst",
            "label": "Vacaturetekst",
            "kind": "textarea",
            "required": True,
            "hint": "Jij en het MT-lid bevestigen de tekst daarna elk met de eigen link uit de "
            "mail.",
        }
    ],
)


def _read_vacancy(form: Form, viewer: Viewer) -> Reading:
    text = (form.fields.get("tekst") or [""])[0].strip()
    reading = Reading({"tekst": text}, args=(text,), kwargs={"by": viewer.person_id})
    if len(text) < 20:
        reading.errors["tekst"] = "Schrijf de vacaturetekst: ten minste 20 tekens."
    elif len(text) > 20000:
        reading.errors["tekst"] = "De vacaturetekst is te lang: ten hoogste 20.000 tekens."
    return reading


@router.get("/werving/{round_id}/vacaturetekst", response_class=HTMLResponse)
def vacancy_page(request: Request, round_id: str) -> Response:
    """The vacancy text form (the round's P&O adviser, while drafting)."""
    return _get(request, round_id, "vacaturetekst", _VACANCY)


@router.post("/werving/{round_id}/vacaturetekst", response_class=HTMLResponse)
async def vacancy_post(request: Request, round_id: str) -> Response:
    """Record the text as `poflow recruitment vacancy` does; P&O and the MT-lid confirm by link."""
    return await post_step(
        request, round_id, "vacaturetekst", _VACANCY, _read_vacancy, draft_vacancy
    )


# -- the selection for an interview round (REC-4, REC-5, REC-7) -----------------------------------
def _round_no(rnd: RecruitmentRound) -> int:
    return 2 if rnd.state is RoundState.ROUND_ONE else 1


def _pool(session: Session, rnd: RecruitmentRound) -> list[Candidate]:
    before = CandidateState.APPLIED if _round_no(rnd) == 1 else CandidateState.ROUND_ONE
    return [
        c
        for c in session.scalars(
            select(Candidate)
            .where(Candidate.round_id == rnd.id)
            .order_by(Candidate.tier, Candidate.seq)
        )
        if c.state is before
    ]


def _po_advisers(session: Session, rnd: RecruitmentRound) -> list[tuple[str, str]]:
    people = session.scalars(
        select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(
            PersonRole.municipality == rnd.municipality,
            PersonRole.role == Role.PO_ADVISEUR.value,
            Person.id != rnd.mt_lid_id,
        )
        .order_by(Person.family_name)
    ).all()
    return [(p.id, p.full_name) for p in people]


def _select_fields(session: Session, rnd: RecruitmentRound) -> list[dict[str, Any]]:
    pool = _pool(session, rnd)
    fields: list[dict[str, Any]] = [
        {
            "name": "kandidaten",
            "label": f"Kandidaten voor gespreksronde {_round_no(rnd)}",
            "kind": "keuzes",
            "required": True,
            "options": [(c.id, f"{c.full_name} ({TIER_NL[Tier(c.tier)].lower()})") for c in pool],
            "hint": "De anderen krijgen een vriendelijke afwijzing.",
        },
        {
            "name": "met_po",
            "label": "Geselecteerd samen met (P&O)",
            "kind": "select",
            "required": True,
            "options": _po_advisers(session, rnd),
            "value": rnd.po_id,
        },
    ]
    highest = max((c.tier for c in pool), default=0)
    for c in pool:
        if c.tier < highest:  # could be passed over for a lower tier: a reason then (REC-4)
            fields.append(
                {
                    "name": f"reden-{c.id}",
                    "label": f"Reden om {c.full_name} over te slaan",
                    "kind": "text",
                    "hint": "Alleen nodig als je deze kandidaat van een hogere categorie niet "
                    "kiest en wel iemand van een lagere (voorkeursbeleid), bijvoorbeeld dat "
                    "die niet (bijna) aan de functie-eisen voldoet.",
                }
            )
    return fields


_SELECT = _one("selecteren", "Wie gaat door", "Selectie voorleggen aan P&O", _select_fields)


def _read_select(form: Form, viewer: Viewer) -> Reading:
    chosen = [c for c in form.fields.get("kandidaten", []) if c]
    reasons = {
        key.removeprefix("reden-"): form.one(key)[:200]
        for key in form.fields
        if key.startswith("reden-") and form.one(key)
    }
    values: dict[str, Any] = {"kandidaten": chosen, "met_po": form.one("met_po")}
    values.update({f"reden-{k}": v for k, v in reasons.items()})
    reading = Reading(values)
    if not chosen:
        reading.errors["kandidaten"] = "Kies minstens één kandidaat."
    if not values["met_po"]:
        reading.errors["met_po"] = "Kies de P&O-adviseur met wie je selecteert."
    reading.kwargs = {
        "by": viewer.person_id,
        "with_po": values["met_po"],
        "passed_over_reasons": reasons,
        "chosen": chosen,
    }
    return reading


def _select(ctx: Context, round_id: str, *, chosen: list[str], **kwargs: Any) -> Any:
    rnd = ctx.session.get(RecruitmentRound, round_id)
    round_no = 2 if rnd is not None and rnd.state is RoundState.ROUND_ONE else 1
    return select_for_round(ctx, round_id, round_no, chosen, **kwargs)


def _passed_over(request: Request, viewer: Viewer, exc: Exception) -> Reading | None:
    """REC-4: the refused selection is audited on its own (as the CLI does) and each candidate
    passed over without a reason is named at their field."""
    if not isinstance(exc, PreferenceRefused):
        return None
    round_id = request.path_params["round_id"]
    take_step(request, viewer, round_id, "selecteren", record_refusal, exc, by=viewer.person_id)
    return Reading(
        {},
        {
            f"reden-{c}": f"Geef een reden om kandidaat {c} van een hogere categorie over te "
            "slaan, of kies die kandidaat ook (voorkeursbeleid)."
            for c in exc.candidate_ids
        },
    )


@router.get("/werving/{round_id}/selecteren", response_class=HTMLResponse)
def select_page(request: Request, round_id: str) -> Response:
    """The selection form (the round's MT-lid, with P&O)."""
    return _get(request, round_id, "selecteren", _SELECT)


@router.post("/werving/{round_id}/selecteren", response_class=HTMLResponse)
async def select_post(request: Request, round_id: str) -> Response:
    """Select as `poflow recruitment select` does; the others hear a friendly no (REC-11)."""
    return await post_step(
        request, round_id, "selecteren", _SELECT, _read_select, _select, on_refusal=_passed_over
    )


# -- the interviews (REC-4, REC-6, REC-7) ---------------------------------------------------------
def _interview_fields(session: Session, rnd: RecruitmentRound) -> list[dict[str, Any]]:
    waiting = ", ".join(c.full_name for c in uninvited(session, rnd))
    return [
        {
            "name": "start",
            "label": "Eerste gesprek op",
            "kind": "datetime-local",
            "required": True,
            "hint": f"Uit te nodigen: {waiting}. De gesprekken volgen elkaar op, hogere "
            "categorieën eerst; iedereen krijgt een uitnodiging met agenda-item.",
        }
    ]


_INTERVIEWS = _one("gesprekken", "Gesprekken plannen", "Uitnodigingen versturen", _interview_fields)


def _read_interviews(form: Form, viewer: Viewer) -> Reading:
    given = form.one("start")
    reading = Reading({"start": given})
    try:
        first = datetime.fromisoformat(given).replace(tzinfo=TZ)
    except ValueError:
        reading.errors["start"] = "Vul de dag en het tijdstip van het eerste gesprek in."
        return reading
    if first.time().hour == 0 and first.time().minute == 0 and "T" not in given:
        reading.errors["start"] = "Vul ook het tijdstip van het eerste gesprek in."
    reading.kwargs = {"first": first}
    return reading


def _plan(ctx: Context, round_id: str, *, first: datetime) -> Any:
    rnd = ctx.session.get(RecruitmentRound, round_id)
    round_no = 2 if rnd is not None and rnd.state is RoundState.ROUND_TWO else 1
    return plan_interviews(ctx, round_id, round_no, first)


@router.get("/werving/{round_id}/gesprekken", response_class=HTMLResponse)
def interviews_page(request: Request, round_id: str) -> Response:
    """The interview planning form (P&O or the recruiter, in an interview round)."""
    return _get(request, round_id, "gesprekken", _INTERVIEWS)


@router.post("/werving/{round_id}/gesprekken", response_class=HTMLResponse)
async def interviews_post(request: Request, round_id: str) -> Response:
    """Plan and send the invitations as `poflow recruitment interviews` does."""
    return await post_step(request, round_id, "gesprekken", _INTERVIEWS, _read_interviews, _plan)
