"""A koffiemoment as a workspace page (issue 21, item 5): an informal coffee with the recruiter
or a colleague before applying, with an invitation to both (REC-13), through the service of
`poflow recruitment koffiemoment`; P&O advisers and recruiters plan it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import InputRefused
from poflow.auth.viewer import Viewer
from poflow.db.models import Person, PersonRole
from poflow.kernel.calendar import TZ, today
from poflow.recruitment.candidates import checked_person, plan_koffiemoment
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.rules import KOFFIEMOMENT_HOSTS
from poflow.web.workspace.frame import Form, require
from poflow.web.workspace.werving_formulier import (
    Reading,
    StepForm,
    post_step,
    purpose_of,
    render_step,
)
from poflow.web.workspace.werving_kandidaten import PERSON_FIELDS
from poflow.web.workspace.werving_woorden import refusal_nl

__all__ = ["router"]

router = APIRouter()


# -- a koffiemoment (REC-13) ----------------------------------------------------------------------
def _hosts(session: Session, rnd: RecruitmentRound) -> list[tuple[str, str]]:

    people = (
        session.scalars(
            select(Person)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(
                PersonRole.municipality == rnd.municipality,
                PersonRole.role.in_([r.value for r in KOFFIEMOMENT_HOSTS]),
            )
            .order_by(Person.family_name)
        )
        .unique()
        .all()
    )
    return [("", "Kies…"), *((p.id, f"{p.full_name} ({p.team})") for p in people)]


def _koffie(session: Session, rnd: RecruitmentRound, viewer: Viewer) -> list[StepForm]:
    fields = [
        *PERSON_FIELDS,
        {
            "name": "gastheer",
            "label": "Met wie",
            "kind": "select",
            "required": True,
            "options": _hosts(session, rnd),
            "value": rnd.recruiter_id or "",
        },
        {"name": "moment", "label": "Wanneer", "kind": "datetime-local", "required": True},
    ]
    return [
        StepForm(
            "koffiemoment",
            "Een informeel kopje koffie",
            f"/werving/{rnd.id}/koffiemoment",
            "Koffiemoment plannen",
            fields,
            purpose_of("koffiemoment", rnd.id),
            intro="De belangstellende en de gastheer krijgen een uitnodiging met agenda-item.",
        ),
    ]


def _read_koffie(form: Form, viewer: Viewer) -> Reading:
    values = {n: form.one(n) for n in ("voornaam", "achternaam", "email", "gastheer", "moment")}
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
    if not values["gastheer"]:
        reading.errors["gastheer"] = "Kies met wie de koffie is."
    try:
        at = datetime.fromisoformat(values["moment"]).replace(tzinfo=TZ)
        if at.date() < today():
            reading.errors["moment"] = "Kies een moment vanaf vandaag."
    except ValueError:
        reading.errors["moment"] = "Vul de dag en het tijdstip in."
        return reading
    reading.kwargs = {**person, "host_id": values["gastheer"], "starts_at": at}
    return reading


@router.get("/werving/{round_id}/koffiemoment", response_class=HTMLResponse)
def koffie_page(request: Request, round_id: str) -> Response:
    """The koffiemoment form (P&O or recruiter, before and while the vacancy is published)."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    return render_step(request, viewer, round_id, "koffiemoment", _koffie)


@router.post("/werving/{round_id}/koffiemoment", response_class=HTMLResponse)
async def koffie_post(request: Request, round_id: str) -> Response:
    """Plan it as `poflow recruitment koffiemoment` does, with an invitation to both."""
    return await post_step(
        request, round_id, "koffiemoment", _koffie, _read_koffie, plan_koffiemoment
    )
