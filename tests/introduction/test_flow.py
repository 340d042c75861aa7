"""Tests of the session flows against a real Prefect API: schedules, planning days, ids only."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from poflow.runtime import run_day
from tests.introduction.support import (
    GEMEENTESECRETARIS,
    Spec,
    add_hires,
    staff,
)

pytestmark = pytest.mark.usefixtures("prefect_harness", "int_only")

PERSONAL = ("Test Nieuw", "example.org", "example.nl", "Verbeek", "Anouk")


def _prefect_texts() -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterName,
        TaskRunFilter,
        TaskRunFilterName,
    )

    async def fetch() -> str:
        # Filter on the server: the shared harness holds every other test's runs as well.
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_="int-"))
            )
            tasks = await client.read_task_runs(
                task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="int-"))
            )
            artifacts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="int-"))
            )
            return " ".join(
                [
                    *(f"{r.name} {r.parameters}" for r in runs),
                    *(t.name for t in tasks),
                    *(f"{a.key} {a.data} {a.description}" for a in artifacts),
                ]
            )

    return asyncio.run(fetch())


def test_int_3_start_flow_plans_only_on_planning_days_once_with_ids_only_in_prefect(
    sqlite_runtime: Any, smtp: Any
):
    """INT-3/X-1/X-3: 5 Feb 2027 is no planning day (nothing happens); on 8 Feb the flow invites
    both starters and the host once, a re-run sends nothing; Prefect sees ids and counts only."""
    from poflow.flows.introduction import startbijeenkomst

    staff(sqlite_runtime)
    add_hires(
        sqlite_runtime,
        [
            Spec("NH-F-A", "vast", None, date(2027, 2, 1)),
            Spec("NH-F-B", "vast", None, date(2027, 2, 5)),  # at work before the invitations
        ],
    )
    run_day(sqlite_runtime, date(2027, 1, 25), send=False)  # the dispatcher enrols them
    quiet = startbijeenkomst(day=date(2027, 2, 5), municipality="hardenberg")
    assert quiet["municipalities"]["hardenberg"][0]["session_id"] is None
    first = startbijeenkomst(day=date(2027, 2, 8), municipality="hardenberg")
    again = startbijeenkomst(day=date(2027, 2, 8), municipality="hardenberg")
    counts = first["municipalities"]["hardenberg"][0]
    assert (counts["series"], counts["invited"], counts["spilled"]) == ("start", 2, 0)
    assert again["municipalities"]["hardenberg"][0]["invited"] == 0
    assert again["mail"]["sent"] == 0
    subjects = sorted(str(m["Subject"]) for m in smtp.messages)
    assert subjects.count("Uitnodiging Startbijeenkomst op maandag 22 februari 2027") == 2
    assert [m for m in smtp.messages if GEMEENTESECRETARIS in str(m["To"])]
    text = _prefect_texts()
    assert "int-start-2027-02-08-hardenberg" in text
    assert "NH-F-A" in text
    assert "NH-F-B" in text
    assert not [p for p in PERSONAL if p in text]


def test_int_4_modules_flow_invites_the_first_module_after_the_start_meeting(
    sqlite_runtime: Any, smtp: Any
):
    """INT-4: once the start meeting of 22 Feb is planned, the eed module of 15 Mar follows."""
    from poflow.flows.introduction import modules, startbijeenkomst

    staff(sqlite_runtime)
    add_hires(sqlite_runtime, [Spec("NH-F-C", "vast", None, date(2027, 2, 1))])
    run_day(sqlite_runtime, date(2027, 1, 25), send=False)
    assert modules(day=date(2027, 3, 1))["municipalities"]["hardenberg"][0]["invited"] == 0
    startbijeenkomst(day=date(2027, 2, 8))
    done = modules(day=date(2027, 3, 1))["municipalities"]["hardenberg"]
    assert [(c["series"], c["invited"]) for c in done if c["invited"]] == [("eed", 1)]
    assert done[0]["series"] == "eed"


def test_int_3_deployments_run_on_weekday_mornings_in_amsterdam():
    """INT-3: three session deployments, each a cron on weekdays in Europe/Amsterdam (the flow
    itself decides from anchor and interval whether a day is a session-planning day), after the
    programme's day on the CAO working days."""
    from poflow.flows.introduction import deployments

    daily, *found = deployments()
    assert (daily.flow_name, daily.name) == ("poflow-introduction", "daily")
    assert [d.name for d in found] == ["startbijeenkomst", "evaluatiebijeenkomst", "modules"]
    for d in found:
        (schedule,) = d.schedules
        assert schedule.schedule.cron == "30 6 * * 1-5"
        assert schedule.schedule.timezone == "Europe/Amsterdam"
