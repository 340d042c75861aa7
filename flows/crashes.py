"""Runs whose process died (SIGKILL, a reboot, the OOM killer) end up Crashed, and P&O is told.

A killed process cannot run its own `on_crashed` hook, and the Prefect server has no built-in
zombie detection for self-hosted servers. What it has: every flow run sends a heartbeat event
(`PREFECT_FLOWS_HEARTBEAT_FREQUENCY`, default 180 s, at least 30), and an automation can expect
the next one. `ensure_crash_detection` puts that automation on the server once (by name): after a
heartbeat, when neither another heartbeat nor a final state comes within three heartbeat periods,
the server sets the run Crashed. The waits watch (every 5 minutes, served by `poflow serve`)
then finds Crashed runs of the last days and mails P&O the failure notice `dispatcher_mislukt`
of each, once (its key is the run's, X-1). Ids only (X-3).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from prefect import task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
    FlowRunFilterStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification
from prefect.settings import get_current_settings
from prefect.states import Crashed

from poflow.failure import notify_po_of_failure
from poflow.runtime import get_runtime
from poflow.waits import waiting_runs

__all__ = ["AUTOMATION", "LOOK_BACK", "crash_automation", "ensure_crash_detection", "tell_crashed"]

AUTOMATION = "poflow: run zonder hartslag wordt Crashed"
LOOK_BACK = timedelta(days=3)  # Crashed runs the watch still tells P&O of (once each)
MISSED = 3  # heartbeat periods without a heartbeat or a final state before a run is Crashed


def crash_automation(heartbeat_s: int) -> AutomationCore:
    """The automation: a flow run silent for MISSED heartbeat periods after a heartbeat is set
    Crashed by the server."""
    return AutomationCore(
        name=AUTOMATION,
        description="Zet een flow-run die geen hartslag meer stuurt (proces gestopt) op Crashed; "
        "de wachtwachter mailt P&O.",
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={
                "prefect.flow-run.heartbeat",
                "prefect.flow-run.Completed",
                "prefect.flow-run.Failed",
                "prefect.flow-run.Cancelled",
                "prefect.flow-run.Crashed",
                "prefect.flow-run.Suspended",
                "prefect.flow-run.Paused",
            },
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=MISSED * heartbeat_s),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message="Geen hartslag meer: het proces van deze run is gestopt.",
            )
        ],
    )


def ensure_crash_detection(heartbeat_s: int | None = None) -> bool:
    """Put the automation on the Prefect server unless one of its name is there; False when
    heartbeats are off (nothing could detect a killed run then)."""
    heartbeat_s = heartbeat_s or get_current_settings().flows.heartbeat_frequency
    if not heartbeat_s:
        return False
    with get_client(sync_client=True) as client:
        if not client.read_automations_by_name(AUTOMATION):
            client.create_automation(crash_automation(heartbeat_s))
    return True


@task(name="tell-crashed-runs", task_run_name="tell-crashed-runs")
def tell_crashed() -> int:
    """Mail P&O the failure notice of every top-level run Crashed in the last LOOK_BACK (a
    subflow's parent crashed with it and is told), except waiting runs (the watch tells of those
    as stopped waits); once per run. How many runs were told of."""
    with get_runtime().factory() as session:
        skip = set(waiting_runs(session))
    since = datetime.now(UTC) - LOOK_BACK
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.CRASHED])),
                start_time=FlowRunFilterStartTime(after_=since),
            ),
            limit=200,
        )
    crashed: list[Any] = [
        run for run in runs if str(run.id) not in skip and run.parent_task_run_id is None
    ]
    for run in crashed:
        _crash_children(run.id)
        notify_po_of_failure(None, run, run.state)
    return len(crashed)


def _crash_children(parent: UUID) -> None:
    """Set the subflow runs of a Crashed run that did not end Crashed too: they ran in its
    process (without a heartbeat of their own: the daily parent's speaks for them)."""
    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent])
            )
        )
        for child in children:
            if child.state is not None and not child.state.is_final():
                client.set_flow_run_state(
                    child.id,
                    Crashed(message="Het proces van de bovenliggende run is gestopt."),
                    force=True,
                )
