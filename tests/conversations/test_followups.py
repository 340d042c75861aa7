"""What follows a recorded appraisal through the dispatcher: shared, decided, archived, and
nothing personal in Prefect (GES-3..6, X-3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from poflow.conversations.appraisals import parse_form, record_appraisal
from poflow.conversations.cycle import start_cycle
from poflow.db.models import Step
from tests.conversations.support import KB, MOTIVATION, add_kb_staff, context, scores_form, text_of


def test_ges_6_scores_and_notes_never_reach_prefect(
    sqlite_runtime: Any, smtp: Any, prefect_harness: None
) -> None:
    """The dispatcher flow that shares, decides and archives an onvoldoende appraisal leaves no
    score, motivation, name or address in Prefect's run names, parameters, logs or artifacts
    (X-3), while the mails themselves carry the form."""
    import asyncio

    from prefect.client.orchestration import get_client

    from poflow.flows.dispatcher import dispatcher

    rt = sqlite_runtime
    add_kb_staff(rt, hire_start=None)
    with rt.factory() as session, session.begin():
        cycle = start_cycle(
            context(rt, session, date(2027, 5, 3)),
            case_type="person",
            case_id="KB-9005",
            on=date(2027, 6, 7),
            manager_id="KB-9003",
            joined_on=date(2015, 9, 1),
        )
        step = session.scalar(
            select(Step).where(Step.case_id == "KB-9005", Step.key == "ges:1:beoordelingsgesprek")
        )
        record_appraisal(
            context(rt, session, date(2028, 4, 3), actor="KB-9003"),
            step,
            parse_form(scores_form(prestatie="onvoldoende")),
            by="KB-9003",
        )
        assert cycle.id
    summary = dispatcher(day=date(2028, 4, 7), municipality=KB)
    assert summary["mail"]["sent"] >= 4
    assert [m for m in smtp.messages if MOTIVATION in text_of(m)]

    async def everything() -> str:
        from prefect.client.schemas.filters import (
            ArtifactFilter,
            ArtifactFilterFlowRunId,
            FlowRunFilter,
            FlowRunFilterName,
            LogFilter,
            LogFilterFlowRunId,
            TaskRunFilter,
            TaskRunFilterFlowRunId,
        )

        # This run and everything under it, filtered on the server (the shared harness holds
        # every other test's runs too, and an unfiltered read returns only the first page).
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    name=FlowRunFilterName(any_=[f"dispatch-2028-04-07-{KB}"])
                )
            )
            assert runs, "the dispatcher run is not in Prefect"
            ids = [r.id for r in runs]
            parts: list[Any] = [
                *runs,
                *await client.read_task_runs(
                    task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=ids))
                ),
                *await client.read_logs(
                    log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids))
                ),
                *await client.read_artifacts(
                    artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids))
                ),
            ]
            return " ".join(
                f"{getattr(p, 'name', '')} {getattr(p, 'parameters', '')} "
                f"{getattr(p, 'message', '')} {getattr(p, 'data', '')}"
                for p in parts
            )

    seen = asyncio.run(everything()).lower()
    for secret in (
        MOTIVATION.lower()[:25],
        "onvoldoende",
        "zeer_goed",
        "ruud",
        "leeuwen",
        "sanne",
        "brouwer",
        "@kaag-en-braassem",
    ):
        assert secret not in seen, secret
