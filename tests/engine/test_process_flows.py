"""Tests of the flow per process against a real Prefect API: a run per process per day with its
artifact of counts and ids, one process's run retried alone converges, their deployments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import islice
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from poflow.db.models import Hire, Person
from poflow.processes import DAILY_ORDER, PROCESSES
from tests.conftest import SmtpRecorder

DAY = date(2027, 1, 4)
HB = "hardenberg"
INVITATION = "Uitnodiging: bijpraat"


def _children(parent: UUID) -> dict[str, Any]:
    """The subflow runs of flow run `parent`, by name."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent])
            )
        )
    return {run.name: run for run in runs}


def _artifacts(run_ids: list[UUID]) -> list[Any]:
    """The artifacts the flow runs `run_ids` made."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=run_ids))
        )


def _personal(rt: Any) -> list[str]:
    """Every name and address of the example people and hires."""
    with rt.factory() as session:
        people = session.scalars(select(Person)).all()
        hires = session.scalars(select(Hire)).all()
    return [
        *(p.family_name for p in people),
        *(p.given_name for p in people),
        *(p.email for p in people),
        *(h.family_name for h in hires),
        *(h.private_email for h in hires if h.private_email),
        "@",
    ]


@pytest.mark.usefixtures("prefect_harness")
def test_x_3_a_day_shows_a_run_per_process_with_an_artifact_of_counts_and_ids_only(
    example_data: Any, smtp: SmtpRecorder
):
    """The day's run has a subflow run per process, named `<process>-<day>-<municipality>`, each
    with an artifact of counts and action ids, and no name or address anywhere in them."""
    from poflow.flows.dispatcher import dispatcher

    state = dispatcher(day=DAY, municipality=HB, return_state=True)
    assert state.is_completed()
    runs = _children(state.state_details.flow_run_id)
    assert sorted(runs) == sorted(f"{name}-{DAY.isoformat()}-{HB}" for name in DAILY_ORDER)
    assert {run.state_type.value for run in runs.values()} == {"COMPLETED"}
    artifacts = {a.key: a for a in _artifacts([run.id for run in runs.values()])}
    assert sorted(artifacts) == sorted(f"dag-{name}-{HB}" for name in DAILY_ORDER)
    summary = state.result()
    checkins = artifacts[f"dag-checkins-{HB}"].data
    invited = summary["processes"]["checkins"][HB]["performed"]
    assert invited >= 11  # the leidinggevenden's invitations of the four hires' talks
    assert f"| {HB} | {invited} | 0 | 0 | 0 | 0 | 0 |" in checkins
    assert "acties: " in checkins
    assert "welkom" not in artifacts[f"dag-hires-{HB}"].data  # only its own step
    published = " ".join(f"{run.name} {run.parameters}" for run in runs.values()) + " ".join(
        f"{a.key} {a.data} {a.description}" for a in artifacts.values()
    )
    assert [value for value in _personal(example_data) if value in published] == []


@pytest.mark.usefixtures("prefect_harness")
def test_x_1_one_process_run_retried_alone_converges(example_data: Any, smtp: SmtpRecorder):
    """Each process's flow run on its own does that process's day: the check-ins' invitations go
    out with the check-ins' run (not before, not twice), and a retried run and the whole day
    after them send nothing more."""
    from poflow.flows.checkins import checkins
    from poflow.flows.dispatcher import dispatcher
    from poflow.flows.onboarding import onboarding

    first = onboarding(day=DAY, municipality=HB)
    assert first["municipalities"][HB]["planned"] == 4  # planning is per hire, for every process
    assert not [m for m in smtp.messages if INVITATION in m["Subject"]]
    assert first["municipalities"][HB]["performed"] == 0  # nothing of onboarding due that day
    assert first["mail"]["sent"] == len(smtp.messages)
    done = checkins(day=DAY, municipality=HB)
    assert done["municipalities"][HB]["performed"] >= 11
    assert len([m for m in smtp.messages if INVITATION in m["Subject"]]) == 11
    sent = len(smtp.messages)
    again = checkins(day=DAY, municipality=HB)
    assert again["municipalities"] == {}
    assert again["mail"]["sent"] == 0
    assert onboarding(day=DAY, municipality=HB)["mail"]["sent"] == 0
    whole = dispatcher(day=DAY, municipality=HB)
    assert len(smtp.messages) == sent + whole["mail"]["sent"]
    assert len([m for m in smtp.messages if INVITATION in m["Subject"]]) == 11
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids))


def test_every_daily_flow_names_each_of_its_processes_kinds_in_one_step(runtime: Any):
    """A process's steps cover its action kinds exactly once: nothing due is left unperformed."""
    import importlib

    registry = runtime.registry
    assert runtime.daily_processes() == list(DAILY_ORDER)
    for name in DAILY_ORDER:
        steps = importlib.import_module(f"poflow.flows.{name}").STEPS
        kinds = [kind for _, step in steps for kind in step]
        assert sorted(kinds) == sorted(registry.kinds(name)), name
        assert registry.process(name).daily_flow is not None


def test_each_process_day_has_a_deployment_on_the_cao_working_days_in_amsterdam():
    """One `daily` deployment per process, at its own time on Monday to Friday in
    Europe/Amsterdam without the CAO holidays (Koningsdag 2027 is a Tuesday)."""
    from poflow.flows.serve import all_deployments

    daily = {d.flow_name: d for d in all_deployments() if d.name == "daily"}
    expected = {"poflow-dispatcher", *(f"poflow-{name}" for name in DAILY_ORDER)}
    assert set(daily) - {"poflow-onboarding-report"} == expected
    assert not daily["poflow-dispatcher"].schedules  # the whole day in order: by hand
    times = []
    for name in DAILY_ORDER:
        (scheduled,) = daily[f"poflow-{name}"].schedules
        schedule = scheduled.schedule
        assert schedule.timezone == "Europe/Amsterdam"
        rule = schedule.to_rrule()
        after = datetime(2027, 4, 24, tzinfo=UTC)
        days = list(islice((d for d in rule if d > after), 5))
        assert [d.date().isoformat() for d in days] == [
            "2027-04-26",
            "2027-04-28",
            "2027-04-29",
            "2027-04-30",
            "2027-05-03",
        ]
        assert {d.utcoffset().total_seconds() for d in days} == {7200}  # CEST
        times.append(days[0].time())
    assert times == sorted(times)  # in the day's order: onboarding's welcome before check-ins
    assert {spec.name for spec in PROCESSES if spec.handlers} == set(DAILY_ORDER)
