"""Tests of the onboarding report flow: Prefect artifacts with ids only, when changed (ONB-4)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from poflow.db.models import Hire, Person
from tests.onboarding.support import ctx_for, import_examples

DAY = date(2027, 2, 16)
HB = "hardenberg"


def test_onb_4_the_report_publishes_table_progress_and_markdown_artifacts_with_ids_only(
    sqlite_runtime, prefect_harness
):
    """After a dispatcher and a report run the Prefect API holds the artifacts, without names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from poflow.flows.dispatcher import dispatcher
    from poflow.flows.onboarding import onboarding_report

    import_examples(sqlite_runtime)
    dispatcher(day=DAY, municipality=HB)
    summary = onboarding_report(day=DAY, municipality=HB)
    assert summary[HB]["hires"] == 4
    keys = [
        "onboarding-hardenberg",
        "onboarding-voortgang-hardenberg",
        *(f"onboarding-nh-2027-00{i}" for i in range(1, 5)),
    ]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))
        )
    latest = {a.key: a for a in sorted(artifacts, key=lambda a: a.created)}
    assert set(latest) == set(keys)
    assert {a.type for a in latest.values()} == {"table", "markdown", "progress"}
    table = latest["onboarding-hardenberg"].data
    rows = json.loads(table) if isinstance(table, str) else table
    assert [r["hire"] for r in rows] == ["NH-2027-001", "NH-2027-002", "NH-2027-003", "NH-2027-004"]
    assert "Vóór de eerste werkdag" in latest["onboarding-voortgang-hardenberg"].data
    assert 0 <= float(latest["onboarding-nh-2027-001"].data) <= 100
    with sqlite_runtime.factory() as session:
        people = session.scalars(select(Person)).all()
        hires = session.scalars(select(Hire)).all()
    personal = (
        [p.family_name for p in people]
        + [p.email for p in people]
        + [h.family_name for h in hires]
        + [h.private_email for h in hires]
    )
    published = " ".join(f"{a.data} {a.description}" for a in latest.values())
    assert [value for value in personal if value in published] == []


def test_onb_4_a_second_run_publishes_only_what_changed(sqlite_runtime, prefect_harness):
    """A re-run publishes nothing again; after one item is done, that hire's bar and the table."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from poflow.flows.dispatcher import dispatcher
    from poflow.flows.onboarding import onboarding_report
    from poflow.onboarding.steps import complete_item

    def bars() -> dict[str, int]:  # artifacts per key in the (shared) API so far
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=["onboarding-nh-2027-003", "onboarding-nh-2027-004"])
                )
            )
        return {
            k: sum(a.key == k for a in found)
            for k in ("onboarding-nh-2027-003", "onboarding-nh-2027-004")
        }

    import_examples(sqlite_runtime)
    day = date(2027, 1, 5)
    before = bars()
    dispatcher(day=day, municipality=HB)
    first = onboarding_report(day=day, municipality=HB)[HB]
    again = onboarding_report(day=day, municipality=HB)[HB]
    with sqlite_runtime.factory() as session, session.begin():
        complete_item(
            ctx_for(sqlite_runtime, session, HB, day), "NH-2027-003", "controle-id", by="HB-0002"
        )
    after = onboarding_report(day=day, municipality=HB)[HB]
    assert first["published"] == 2 + first["hires"]  # table, chart and one bar per hire
    assert again["published"] == 0
    assert after["published"] == 3  # the table, the chart's counts and NH-2027-003's bar
    now = bars()
    assert {k: now[k] - before[k] for k in now} == {
        "onboarding-nh-2027-003": 2,
        "onboarding-nh-2027-004": 1,
    }
