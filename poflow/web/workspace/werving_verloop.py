"""A round's flow as workspace pages (issue 21, item 5), for the round's P&O adviser while the
round has no Prefect flow run: starting one (`poflow recruitment open --flow`: only where a
Prefect API is configured; ids only, X-3), or applying the decisions taken so far by hand
(`poflow recruitment advance`: the same services, audited as the adviser). Without either, a
round stands still after a decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from poflow.auth.viewer import Viewer
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.mail.sending import SmtpTarget
from poflow.recruitment.documents import send_documents, senders
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.rounds import get_round
from poflow.recruitment.stages import advance_round, documents_then_advance
from poflow.recruitment.states import RoundState
from poflow.web.workspace.frame import Form, require, runtime
from poflow.web.workspace.werving_aanbod import one_form, step_page
from poflow.web.workspace.werving_formulier import Reading, post_step
from poflow.web.workspace.werving_stappen import take_step

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

__all__ = ["prefect_api", "router"]

router = APIRouter()


# -- the round's flow run (`poflow recruitment open --flow`) --------------------------------------
def prefect_api() -> str | None:
    """The Prefect API this process would start a flow run on, None when none is configured."""
    # Prefect loads only here: the other pages run without it.
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def _flow_intro(session: Session, rnd: RecruitmentRound) -> str:
    said = (
        "Deze ronde heeft nog geen verloop in Prefect. Het verloop verwerkt de besluiten (zoals "
        "de bevestigde vacaturetekst of het besluit over het aanbod) en zet de volgende stap "
        "klaar. Zonder verloop gaat de ronde na een besluit pas verder als je zelf "
        "‘Besluiten verwerken’ kiest."
    )
    if prefect_api() is None:
        said += (
            " Deze installatie heeft geen Prefect-server ingesteld, dus het verloop kan hier "
            "niet worden gestart: vraag de beheerder (poflow serve met PREFECT_API_URL)."
        )
    return said


_FLOW = one_form("verloop", "Het verloop van de ronde", "Verloop starten", [], _flow_intro)


def _start_flow(ctx: Context, round_id: str) -> str:
    """Start the round's flow run on its deployment (ids only, X-3), audited as the person."""
    if prefect_api() is None:
        from poflow._exceptions import RecruitmentRefused

        raise RecruitmentRefused(f"Cannot start the flow of round {round_id}: no Prefect API.")
    # Prefect's client loads only when a run is started.
    from prefect.deployments import run_deployment

    from poflow.flows.recruitment import ROUND_DEPLOYMENT

    run = cast(  # called from synchronous code, it returns the run itself
        "FlowRun", run_deployment(ROUND_DEPLOYMENT, parameters={"round_id": round_id}, timeout=0)
    )
    ctx.audit("round.flow_started", CaseType.ROUND, round_id, flow_run=str(run.id))
    return str(run.id)


@router.get("/werving/{round_id}/verloop", response_class=HTMLResponse)
def flow_page(request: Request, round_id: str) -> Response:
    """Start the round's flow run (the round's P&O adviser, while it has none)."""
    return step_page(request, round_id, "verloop", _FLOW)


@router.post("/werving/{round_id}/verloop", response_class=HTMLResponse)
async def flow_post(request: Request, round_id: str) -> Response:
    """Start the flow run as `poflow recruitment open --flow` does."""
    return await post_step(request, round_id, "verloop", _FLOW, _read_flow, _start_flow)


def _read_flow(form: Form, viewer: Viewer) -> Reading:
    return Reading({})


# -- the decisions applied by hand (`poflow recruitment advance`) --------------------------------
_PROCESS = one_form(
    "verwerken",
    "De ronde verder zetten",
    "Besluiten verwerken",
    [],
    "Deze ronde heeft geen verloop in Prefect. Hier verwerk je de besluiten die zijn genomen "
    "(zoals de bevestigde vacaturetekst of het besluit over het aanbod): de ronde gaat naar de "
    "volgende fase en wie dan iets moet doen krijgt bericht. Bij het aanstellingsadvies gaan "
    "de documenten de deur uit. Een besluit dat nog niet is genomen blijft staan.",
)


@router.get("/werving/{round_id}/verwerken", response_class=HTMLResponse)
def process_page(request: Request, round_id: str) -> Response:
    """Apply the decisions taken (the round's P&O adviser, while it has no flow run)."""
    return step_page(request, round_id, "verwerken", _PROCESS)


@router.post("/werving/{round_id}/verwerken", response_class=HTMLResponse)
async def process_post(request: Request, round_id: str) -> Response:
    """Apply the decisions as `poflow recruitment advance` does, audited as the adviser."""
    answer = await post_step(request, round_id, "verwerken", _PROCESS, _read_flow, advance_round)
    if answer.status_code == 303:  # applied and committed: at the advice, its documents
        await run_in_threadpool(_documents, request, round_id)
    return answer


def _documents(request: Request, round_id: str) -> RoundState | None:
    viewer = require(request)
    if not isinstance(viewer, Viewer):  # logged out since the step a moment ago
        return None
    rt = runtime(request)
    with rt.factory() as session:
        state = get_round(session, round_id).state
    return documents_then_advance(
        state,
        send=lambda: send_documents(
            rt.factory, SmtpTarget.from_settings(rt.settings), senders(rt.configs)
        ),
        apply=lambda: take_step(request, viewer, round_id, "verwerken", advance_round),
    )
