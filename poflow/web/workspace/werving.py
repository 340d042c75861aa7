"""The recruitment board (issue 21, item 5): `/werving` lists the municipality's rounds by stage
with whom each waits on; `/werving/{round_id}` shows one round: its people, its candidates by
voorkeursbeleid tier (REC-4) and its four-eyes decisions, with the asked person's own link to
the decision page (REC-9: the decision itself is only ever taken there, logged in).

P&O advisers and recruiters see every round of their municipality; anyone else only the rounds
that name them (gemeentesecretaris and OR for a formation change, MT-lid, leidinggevende and
panel colleague). Candidate names are shown to P&O, the recruiter and the round's selection
panel; the others see counts per tier. Opening a round: poflow/web/workspace/werving_nieuw.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.approvals.requests import DECIDE, role_label
from poflow.auth.viewer import Viewer
from poflow.db.models import Person
from poflow.kernel.calendar import TZ
from poflow.kernel.foureyes import Outcome
from poflow.kernel.wording import date_nl, moment_nl
from poflow.links import own_link_path
from poflow.recruitment.board import STAGE_NL, gates_of, rounds_of, waits_on
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.rules import Tier
from poflow.recruitment.states import CandidateState
from poflow.recruitment.status import round_progress
from poflow.web.workspace.frame import frame, render, require, runtime
from poflow.web.workspace.werving_stappen import (
    BOARD_ROLES,
    PARTS,
    sees_everything,
    steps_for,
    visible_round,
)

__all__ = ["BOARD_ROLES", "DONE_NL", "router", "sees_everything", "visible_round"]

router = APIRouter()
TIER_NL = {
    Tier.BOVENFORMATIEF: "Categorie 1: bovenformatief of UWO",
    Tier.EIGEN_MEDEWERKER: "Categorie 2: eigen medewerkers",
    Tier.DETACHERING_INLEEN: "Categorie 3: detachering of inleen",
    Tier.EXTERN: "Categorie 4: extern",
}
CANDIDATE_NL = {
    CandidateState.PROSPECT: "koffiemoment",
    CandidateState.APPLIED: "gesolliciteerd",
    CandidateState.ROUND_ONE: "eerste ronde",
    CandidateState.ROUND_TWO: "tweede ronde",
    CandidateState.OFFERED: "aanbod",
    CandidateState.HIRED: "aangenomen",
    CandidateState.REJECTED: "afgewezen",
    CandidateState.WITHDRAWN: "teruggetrokken",
}
GATE_NL = {
    "rec_formation": "Formatiewijziging",
    "rec_vacancy": "Vacaturetekst",
    "rec_offer": "Besluit over het aanbod",
    "rec_terms": "Arbeidsvoorwaarden",
}
OUTCOME_NL = {
    Outcome.PENDING: "open",
    Outcome.APPROVED: "akkoord",
    Outcome.REJECTED: "niet akkoord",
}
# What the round's page says after a step (`?gedaan=<step>`, poflow/web/workspace/werving_*.py).
DONE_NL = {
    "vacaturetekst": "De vacaturetekst is vastgelegd. Jij en het MT-lid kregen elk een mail om "
    "de tekst te bevestigen.",
    "kandidaten": "De kandidaat is toegevoegd en krijgt een ontvangstbevestiging.",
    "importeren": "De kandidaten uit het bestand zijn toegevoegd en krijgen een "
    "ontvangstbevestiging.",
    "dienstverband": "Het dienstverband is vastgelegd in het personeelsbestand.",
    "koffiemoment": "Het koffiemoment is gepland; beiden kregen een uitnodiging.",
    "selecteren": "De selectie is voorgesteld. De P&O-adviseur die je noemde bevestigt hem met "
    "de link uit de mail (REC-5); daarna horen de kandidaten die niet doorgaan het.",
    "gesprekken": "De gesprekken zijn gepland en de uitnodigingen zijn verstuurd.",
    "aanbod": "Het aanbod is voorgesteld. P&O, het MT-lid en de collega kregen elk een mail om "
    "te beslissen.",
    "voorwaarden": "De voorwaarden zijn vastgelegd. De leidinggevende en de P&O-adviseur kregen "
    "elk een mail om ze te bevestigen.",
    "arbeidsovereenkomst": "De arbeidsovereenkomst is gemeld als opgesteld.",
    "intrekken": "De vacature is ingetrokken. Kandidaten in de ronde krijgen een bericht.",
    "verloop": "Het verloop van de ronde is gestart.",
    "verwerken": "De genomen besluiten zijn verwerkt. Hieronder staat de fase van de ronde nu.",
}
_PANEL = ("po_id", "mt_lid_id", "leidinggevende_id", "colleague_id", "recruiter_id")


def names_of(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Person id -> full name, for the ids given."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {p.id: p.full_name for p in session.scalars(select(Person).where(Person.id.in_(wanted)))}


def _board(request: Request, viewer: Viewer) -> dict[str, Any]:
    with runtime(request).factory() as session:
        involving = None if sees_everything(viewer) else viewer.person_id
        rounds = rounds_of(session, viewer.municipality, involving=involving)
        waits = {r.id: waits_on(session, r) for r in rounds}
        names = names_of(session, (p for w in waits.values() for p, _ in w.people))
        stages = []
        for stage, label in STAGE_NL.items():
            mine = [r for r in rounds if r.state is stage]
            if not mine:
                continue
            rows = [
                {
                    "id": r.id,
                    "functie": r.function,
                    "team": r.team,
                    "geopend": date_nl(r.created_at.astimezone(TZ).date()),
                    "wacht_op": [f"{names.get(p, p)} {what}" for p, what in waits[r.id].people],
                }
                for r in mine
            ]
            stages.append({"fase": label, "slot": stage.final, "rondes": rows})
    return {"fasen": stages, "totaal": len(rounds)}


@router.get("/werving", response_class=HTMLResponse)
def board_page(request: Request) -> Response:
    """The rounds by stage, with whom each waits on."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    context = {
        **frame(request, viewer, "/werving"),
        **_board(request, viewer),
        "mag_openen": sees_everything(viewer),
        "alles": sees_everything(viewer),
    }
    return render(request, "werkplek/werving.html", context)


def _candidates(session: Session, rnd: RecruitmentRound, named: bool) -> list[dict[str, Any]]:
    """Per tier: the candidates (name, state, applied on) when names may be shown, and the count
    (including those whose details were removed after the retention period)."""
    per_tier = round_progress(session, rnd.id)["per_tier"]
    cands = session.scalars(
        select(Candidate).where(Candidate.round_id == rnd.id).order_by(Candidate.seq)
    ).all()
    out = []
    for tier in Tier:
        mine = [c for c in cands if c.tier == tier and c.state is not CandidateState.PROSPECT]
        rows = [
            {
                "id": c.id,
                "naam": f"{c.given_name} {c.family_name}",
                "status": CANDIDATE_NL[c.state],
                "gesolliciteerd": date_nl(c.applied_on) if c.applied_on else "",
            }
            for c in mine
        ]
        out.append({"titel": TIER_NL[tier], "aantal": per_tier[str(int(tier))], "rijen": rows})
    return out if named else [{**t, "rijen": []} for t in out]


def _gates(request: Request, session: Session, viewer: Viewer, rnd: RecruitmentRound) -> Any:
    gates = gates_of(session, rnd)
    names = names_of(session, (d.person_id for g in gates for d in g.asked))
    keys = runtime(request).settings.signing_keys()
    out = []
    for g in gates:
        asked = []
        for d in g.asked:
            mine = d.person_id == viewer.person_id and d.approve is None
            link = None
            if mine and g.outcome is Outcome.PENDING:
                link = own_link_path(
                    session,
                    keys,
                    action=DECIDE,
                    case_type=g.subject_type,
                    case_id=g.subject_id,
                    person_id=viewer.person_id,
                )
            state = "open" if d.approve is None else ("akkoord" if d.approve else "niet akkoord")
            asked.append(
                {
                    "rol": role_label(d.role),
                    "naam": names.get(d.person_id, d.person_id),
                    "besluit": state,
                    "klasse": {"open": "open", "akkoord": "klaar"}.get(state, "te-laat"),
                    "wanneer": moment_nl(d.at.astimezone(TZ)) if d.at else "",
                    "link": link,
                    "ik": mine,
                }
            )
        out.append(
            {
                "soort": GATE_NL.get(g.subject_type, g.subject_type),
                "titel": g.title,
                "uitkomst": OUTCOME_NL[g.outcome],
                "gevraagd": asked,
            }
        )
    return out


def _round(request: Request, viewer: Viewer, round_id: str) -> dict[str, Any]:
    with runtime(request).factory() as session:
        rnd = visible_round(session, viewer, round_id)
        named = sees_everything(viewer) or viewer.person_id in {getattr(rnd, c) for c in _PANEL}
        wait = waits_on(session, rnd)
        names = names_of(session, [getattr(rnd, c) for c, _ in PARTS] + [p for p, _ in wait.people])
        return {
            "ronde": {
                "id": rnd.id,
                "functie": rnd.function,
                "team": rnd.team,
                "fte": f"{rnd.fte:.2f}".replace(".", ","),
                "fase": STAGE_NL[rnd.state],
                "formatie": rnd.formation_change,
                "intern_vanaf": date_nl(rnd.internal_from) if rnd.internal_from else None,
                "extern_vanaf": date_nl(rnd.external_from) if rnd.external_from else None,
                "nieuwe_medewerker": rnd.hire_id,
            },
            "mensen": [
                (label, names.get(getattr(rnd, c), getattr(rnd, c)))
                for c, label in PARTS
                if getattr(rnd, c)
            ],
            "wacht_op": [f"{names.get(p, p)} {what}" for p, what in wait.people],
            "categorieen": _candidates(session, rnd, named),
            "namen": named,
            "besluiten": _gates(request, session, viewer, rnd),
            "stappen": [
                {"href": f"/werving/{rnd.id}/{s.slug}", "label": s.label}
                for s in steps_for(session, viewer, rnd)
            ],
        }


@router.get("/werving/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, round_id: str) -> Response:
    """One round: its people, candidates by tier and decisions."""
    viewer = require(request)
    if not isinstance(viewer, Viewer):
        return viewer
    context = {
        **frame(request, viewer, "/werving"),
        **_round(request, viewer, round_id),
        "geopend": request.query_params.get("geopend") == "1",
        "gedaan": DONE_NL.get(request.query_params.get("gedaan", "")),
    }
    return render(request, "werkplek/werving_ronde.html", context)
