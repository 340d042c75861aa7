"""Recruitment rounds as Prefect flows (REC-1..13), and the daily retention purge (X-3).

One flow run drives one round; its parameters are ids only. The policy, stage by stage:
formation change? GS and OR both agree (REC-2) -> P&O drafts, P&O and MT-lid confirm (REC-3) ->
internal, then external publication (REC-4) -> the MT-lid's selection, confirmed by the asked
P&O adviser (REC-5), and two interview rounds (REC-6, REC-7) ->
P&O, MT-lid and a colleague decide (REC-8) -> the four-eyes terms talk (REC-9) ->
aanstellingsadvies, then the hire, whose onboarding starts by itself (REC-10).
People act through their own links or the CLI. While it waits the run holds no process: it is
suspended (flows/waits.py says how and why; the Prefect UI shows it Suspended, with an artifact
naming the role and person id it waits for), and every start re-reads the database, so a resume
proves nothing by itself and a repeated or resumed run never does a step twice (X-1).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from prefect import flow, get_run_logger
from prefect.deployments import run_deployment
from prefect.runtime import flow_run
from prefect.schedules import Cron
from pydantic import BaseModel, Field

from poflow.failure import notify_po_of_failure
from poflow.flows.daily import Step, daily_deployment, process_run_name, run_process
from poflow.flows.waits import suspendable, wait_failed, wait_for_people
from poflow.kernel.calendar import TIMEZONE
from poflow.recruitment.config import RecruitmentSection
from poflow.recruitment.rules import retention_cron
from poflow.recruitment.states import RoundState
from poflow.runtime import get_runtime, today
from poflow.tasks.approvals import open_approval_request, read_approval_outcome
from poflow.tasks.mail import send_mail
from poflow.tasks.recruitment import (
    advance,
    attach_round,
    open_gate,
    open_need,
    open_selection,
    publish_progress,
    purge_rejected,
    send_documents,
)

__all__ = [
    "ROUND_DEPLOYMENT",
    "STEPS",
    "RoundNeed",
    "deployments",
    "open_recruitment_round",
    "recruitment",
    "recruitment_retention",
    "recruitment_round",
]

# The dated part of recruitment; the rounds themselves are flows of their own (below).
STEPS: tuple[Step, ...] = (
    ("externe publicatie", frozenset({"rec.publish_external"})),
    ("aanbrengpremie", frozenset({"rec.referral_bonus"})),
)


@flow(
    name="poflow-recruitment",
    flow_run_name=lambda: process_run_name(),
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def recruitment(
    day: date | None = None, municipality: str | None = None, within_day: bool = False
) -> dict[str, Any]:
    """Recruitment's day: the external publication after the internal window, the referral
    bonus after the hire's probation."""
    return run_process("recruitment", STEPS, day, municipality, within_day=within_day)


ROUND_DEPLOYMENT = "poflow-recruitment-round/round"


class RoundNeed(BaseModel):
    """A wervingsbehoefte as entered in the Prefect UI: people by id, no personal data (X-3)."""

    municipality: str = Field(description="Municipality slug, e.g. hardenberg")
    team: str
    function: str
    fte: float = Field(gt=0, le=40)
    formation_change: bool = Field(description="Extra FTE, shifted hours or changed content")
    po_id: str = Field(description="Person id of the P&O adviser")
    mt_lid_id: str
    leidinggevende_id: str
    colleague_id: str | None = Field(default=None, description="A colleague from the team")
    recruiter_id: str | None = None
    internal_window_days: int | None = Field(default=None, ge=1, le=60)


@flow(
    name="poflow-recruitment-round",
    flow_run_name="round-{round_id}",
    on_failure=[wait_failed],
    on_crashed=[wait_failed],
    log_prints=False,
)
def recruitment_round(round_id: str, timeout_days: float = 60, poll_seconds: int = 10) -> str:
    """Drive one round to its end: apply decisions, wait for people, report progress.

    Each start re-reads the round, so a resumed or repeated run only does what is left (X-1).
    `poll_seconds` only matters when called without a deployment (an in-process pause).
    """
    attached = attach_round(round_id, str(flow_run.id))
    municipality = attached["municipality"]
    seen: set[str] = set()  # the decided gates this start has already applied
    while True:
        state = RoundState(advance(round_id))
        send_mail(municipality)
        send_documents()
        publish_progress(round_id)
        if state.final:
            get_run_logger().info("round %s ended: %s", round_id, state.value)
            return state.value
        if state is RoundState.ADVICE and "advice" not in seen:
            seen.add("advice")
            continue  # the advice went out: the next advance creates the hire (REC-10)
        gate = open_gate(round_id)
        subject = f"{gate['subject_type']}:{gate['subject_id']}" if gate else None
        if gate is not None and subject not in seen:
            open_approval_request(
                gate["subject_type"],
                gate["subject_id"],
                gate["municipality"],
                gate["required"],
                str(flow_run.id),
            )
            send_mail(municipality)
            if read_approval_outcome(gate["subject_type"], gate["subject_id"]) != "pending":
                seen.add(str(subject))
                continue  # decided meanwhile: the next advance applies it
            waiting_for, step = dict(gate["required"]), f"besluit {subject}"
        elif (selection := open_selection(round_id)) is not None:
            # REC-5: the MT-lid selected; the P&O adviser asked confirms by their own link
            waiting_for = {"po_adviseur": selection["po_adviseur"]}
            step = f"bevestiging selectie ronde {selection['round_no']}"
        else:  # P&O, the MT-lid or the dispatcher takes the next step (or re-asks a gate that
            # someone not asked for it had decided: that decision does not count, REC-9)
            waiting_for = {"po_adviseur": attached["po_adviseur"]}
            step = f"de volgende stap in fase {state.value}"
        wait_for_people(
            round_id,
            f"wervingsronde {round_id}",
            waiting_for,
            step=step,
            timeout_days=timeout_days,
            poll_seconds=poll_seconds,
        )


@flow(
    name="poflow-recruitment-open", flow_run_name="open-round-{need.municipality}", log_prints=False
)
def open_recruitment_round(
    need: RoundNeed, timeout_days: float = 60, poll_seconds: int = 10
) -> str:
    """Register a wervingsbehoefte from the Prefect UI and start its round's own run (REC-1).

    From a deployment the round gets a run of its own deployment (a subflow cannot be
    suspended); called directly, the round runs here as a subflow. Returns the round id.
    """
    values = need.model_dump(exclude={"municipality"})
    round_id = open_need(need.municipality, values)
    parameters = {"round_id": round_id, "timeout_days": timeout_days}
    if not suspendable():
        recruitment_round(round_id, timeout_days=timeout_days, poll_seconds=poll_seconds)
    else:
        run_deployment(ROUND_DEPLOYMENT, parameters=parameters, timeout=0, as_subflow=False)
    return round_id


@flow(
    name="poflow-recruitment-retention",
    flow_run_name=lambda: f"rec-retention-{flow_run.parameters.get('day') or today()}",
    on_failure=[notify_po_of_failure],
    on_crashed=[notify_po_of_failure],
    log_prints=False,
)
def recruitment_retention(
    day: date | None = None, municipality: str | None = None
) -> dict[str, Any]:
    """Remove rejected candidates' personal data after the retention period (X-3): counts only."""
    day = day or today()
    rt = get_runtime()
    summary = {slug: purge_rejected(slug, day) for slug in rt.slugs(municipality)}
    get_run_logger().info("retention %s: %s", day.isoformat(), summary)
    return summary


def _retention_cron() -> str:
    """Daily at the earliest retention_time of the municipalities (Europe/Amsterdam)."""
    rt = get_runtime()
    return retention_cron(
        c.section("recruitment", RecruitmentSection).retention_time for c in rt.configs.values()
    )


def deployments() -> list[Any]:
    """Recruitment's day (07:25 on the CAO's working days), the round flows (started with ids
    from the UI) and the scheduled daily retention."""
    return [
        daily_deployment(
            recruitment,
            time(7, 25),
            "Werving: externe publicatie na de interne termijn, aanbrengpremie.",
        ),
        recruitment_round.to_deployment(
            name=ROUND_DEPLOYMENT.split("/")[1],
            tags=["poflow", "recruitment"],
            description="Drives one recruitment round; parameter: the round id.",
        ),
        open_recruitment_round.to_deployment(
            name="open",
            tags=["poflow", "recruitment"],
            description="Opens a round from a wervingsbehoefte (people by id) and drives it.",
        ),
        recruitment_retention.to_deployment(
            name="daily-retention",
            schedule=Cron(_retention_cron(), timezone=TIMEZONE),
            tags=["poflow", "recruitment"],
            description="Removes rejected candidates' personal data after retention (X-3).",
        ),
    ]
