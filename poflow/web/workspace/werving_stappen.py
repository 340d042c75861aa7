"""A round's steps in the workspace (issue 21, item 5): which step applies in which stage and who
may take it, as the recruitment services check it (the round's P&O adviser drafts the text,
proposes the offer, records the terms, reports the contract and withdraws the vacancy; the
round's MT-lid selects; P&O and the recruiter add candidates, plan koffiemomenten and
interviews). The round's page links the steps the viewer may take now; each step's page and
POST check it again (`open_step`, `take_step`) and run the service in one transaction as the
logged-in person (X-4): a refused step changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import RecruitmentRefused
from poflow.auth.viewer import Viewer
from poflow.db.models import Step
from poflow.engine import Context
from poflow.kernel.calendar import today
from poflow.kernel.foureyes import Outcome
from poflow.kernel.vocabulary import CaseType, Role
from poflow.recruitment.contract import CONTRACT_STEP
from poflow.recruitment.gates import TERMS, gate, terms_subject
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.states import INTERVIEW_STAGES, CandidateState
from poflow.recruitment.states import RoundState as S
from poflow.states import StepState
from poflow.web.workspace.frame import message, runtime

__all__ = [
    "BOARD_ROLES",
    "PARTS",
    "STEPS",
    "RoundStep",
    "open_step",
    "sees_everything",
    "steps_for",
    "take_step",
    "uninvited",
    "visible_round",
    "why_not",
]

BOARD_ROLES = frozenset({Role.PO_ADVISEUR.value, Role.RECRUITER.value})
PARTS = (
    ("po_id", "P&O-adviseur"),
    ("mt_lid_id", "MT-lid"),
    ("leidinggevende_id", "Leidinggevende"),
    ("colleague_id", "Collega in de commissie"),
    ("recruiter_id", "Recruiter"),
    ("gemeentesecretaris_id", "Gemeentesecretaris"),
    ("or_id", "OR-lid"),
)


def sees_everything(viewer: Viewer) -> bool:
    """P&O advisers and recruiters see every round of their municipality."""
    return bool(viewer.roles & BOARD_ROLES)


def visible_round(session: Session, viewer: Viewer, round_id: str) -> RecruitmentRound:
    """The round when the viewer may see it; 404 as an unknown one otherwise (another
    municipality's round, or one without a part for a person who is not P&O or recruiter)."""
    rnd = session.get(RecruitmentRound, round_id)
    if rnd is None or rnd.municipality != viewer.municipality:
        raise HTTPException(status_code=404)
    if not sees_everything(viewer) and viewer.person_id not in {
        getattr(rnd, column) for column, _ in PARTS
    }:
        raise HTTPException(status_code=404)
    return rnd


_PUBLISHED = frozenset({S.INTERNAL, S.EXTERNAL})
_OPEN = frozenset(s for s in S if not s.final)


@dataclass(frozen=True)
class RoundStep:
    """One step of a round: its page `/werving/{round}/{slug}`, its link text, the stages it
    applies in, and who takes it: "po" the round's P&O adviser, "mt" the round's MT-lid,
    "board" a P&O adviser or recruiter of the municipality."""

    slug: str
    label: str
    stages: frozenset[S]
    who: str


STEPS: dict[str, RoundStep] = {
    s.slug: s
    for s in (
        RoundStep("vacaturetekst", "Vacaturetekst vastleggen", frozenset({S.DRAFTING}), "po"),
        RoundStep(
            "koffiemoment",
            "Koffiemoment plannen",
            frozenset({S.DRAFTING, S.TEXT_REVIEW, *_PUBLISHED}),
            "board",
        ),
        RoundStep("kandidaten", "Kandidaten toevoegen", _PUBLISHED, "board"),
        RoundStep("selecteren", "Selecteren voor de gesprekken", _PUBLISHED | {S.ROUND_ONE}, "mt"),
        RoundStep(
            "gesprekken", "Gesprekken plannen", frozenset({S.ROUND_ONE, S.ROUND_TWO}), "board"
        ),
        RoundStep("aanbod", "Aanbod voorstellen", frozenset({S.ROUND_TWO}), "po"),
        RoundStep("voorwaarden", "Arbeidsvoorwaarden vastleggen", frozenset({S.TERMS}), "po"),
        RoundStep(
            "arbeidsovereenkomst",
            "Arbeidsovereenkomst opgesteld melden",
            frozenset({S.ADVICE}),
            "po",
        ),
        RoundStep("verloop", "Verloop van de ronde starten", _OPEN, "po"),
        RoundStep("verwerken", "Besluiten verwerken", _OPEN, "po"),
        RoundStep("intrekken", "Vacature intrekken", _OPEN - {S.ADVICE}, "po"),
    )
}
_WHO_NL = {
    "po": "de P&O-adviseur van deze ronde",
    "mt": "het MT-lid van deze ronde",
    "board": "een P&O-adviseur of recruiter",
}


def _may(viewer: Viewer, rnd: RecruitmentRound, step: RoundStep) -> bool:
    if step.who == "po":
        return viewer.person_id == rnd.po_id
    if step.who == "mt":
        return viewer.person_id == rnd.mt_lid_id
    return sees_everything(viewer)


def _ready(session: Session, rnd: RecruitmentRound, step: RoundStep) -> bool:
    """What the stage alone does not say: something to do in it."""
    if step.slug == "gesprekken":
        return bool(uninvited(session, rnd))
    if step.slug == "voorwaarden":
        return not rnd.terms_version or gate(session, TERMS, terms_subject(rnd)) is Outcome.PENDING
    if step.slug == "arbeidsovereenkomst":
        task = _contract_step(session, rnd)
        return task is not None and task.state == StepState.OPEN
    if step.slug in {"verloop", "verwerken"}:  # the flow run does both
        return rnd.flow_run_id is None
    return True


def _contract_step(session: Session, rnd: RecruitmentRound) -> Step | None:
    return session.scalar(
        select(Step).where(
            Step.case_type == CaseType.ROUND, Step.case_id == rnd.id, Step.key == CONTRACT_STEP
        )
    )


def uninvited(session: Session, rnd: RecruitmentRound) -> list[Candidate]:
    """The candidates of the round's current interview round without an invitation yet."""
    round_no = next((n for n, (s, _) in INTERVIEW_STAGES.items() if s is rnd.state), None)
    if round_no is None:
        return []
    state: CandidateState = INTERVIEW_STAGES[round_no][1]
    invited = set(
        session.scalars(
            select(Step.case_id).where(
                Step.case_type == CaseType.CANDIDATE, Step.key == f"interview:{round_no}"
            )
        )
    )
    cands = session.scalars(
        select(Candidate).where(Candidate.round_id == rnd.id).order_by(Candidate.seq)
    )
    return [c for c in cands if c.state is state and c.id not in invited]


def steps_for(session: Session, viewer: Viewer, rnd: RecruitmentRound) -> list[RoundStep]:
    """The steps the viewer may take in the round now (the round's page links them)."""
    return [
        s
        for s in STEPS.values()
        if rnd.state in s.stages and _may(viewer, rnd, s) and _ready(session, rnd, s)
    ]


def why_not(viewer: Viewer, rnd: RecruitmentRound, step: RoundStep) -> str | None:
    """Why the viewer may not take the step now (Dutch), or None."""
    if not _may(viewer, rnd, step):
        return f"Deze stap ({step.label.lower()}) zet {_WHO_NL[step.who]}."
    if rnd.state not in step.stages:
        return f"Deze stap ({step.label.lower()}) hoort niet bij de fase waarin de ronde nu staat."
    return None


def open_step(
    request: Request, viewer: Viewer, round_id: str, slug: str, session: Session
) -> RecruitmentRound | Response:
    """The round when the viewer may take step `slug` in it now; else the Dutch refusal (403;
    404 for a round they may not see)."""
    rnd = visible_round(session, viewer, round_id)
    step = STEPS[slug]
    problem = why_not(viewer, rnd, step)
    if problem is None and not _ready(session, rnd, step):
        problem = f"Er is nu niets te doen voor deze stap ({step.label.lower()})."
    if problem is not None:
        return message(request, viewer, "Dit kan nu niet", f"{problem} Er is niets gewijzigd.", 403)
    return rnd


def take_step(
    request: Request,
    viewer: Viewer,
    round_id: str,
    slug: str,
    service: Callable[..., Any],
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Run `service(ctx, round_id, *args, **kwargs)` in one transaction as the logged-in person,
    after
    checking the step again (a form from before a stage change is refused:
    RecruitmentRefused). The transaction rolls back when the service refuses."""
    rt = runtime(request)
    with rt.factory() as session, session.begin():
        rnd = visible_round(session, viewer, round_id)
        if why_not(viewer, rnd, STEPS[slug]) is not None:
            raise RecruitmentRefused(f"Cannot take step {slug} in round {rnd.id} now.")
        ctx: Context = rt.context(session, viewer.municipality, today(), actor=viewer.person_id)
        return service(ctx, rnd.id, *args, **kwargs)
