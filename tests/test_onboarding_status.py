"""Tests of onboarding progress at a glance: the status table, its columns, artifacts and CLI."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from poflow.db.models import Hire, Person
from poflow.engine import StatusColumn
from poflow.onboarding.rules import Phase
from poflow.onboarding.status import (
    PhaseCount,
    markdown_overview,
    status_rows,
)
from tests.onboarding_support import (  # noqa: F401  (fixtures)
    ctx_for,
    import_examples,
    migrated_sqlite,
    sqlite_runtime,
)

DAY = date(2027, 2, 16)
HB = "hardenberg"


def _planned_examples(rt):
    """The example hires imported and planned on 4 January 2027, one item of NH-2027-001 done."""
    from poflow.onboarding.steps import complete_item
    from poflow.runtime import run_day

    import_examples(rt)
    run_day(rt, date(2027, 1, 4), municipality=HB, send=False)
    with rt.factory() as session, session.begin():
        complete_item(ctx_for(rt, session, HB, DAY), "NH-2027-001", "controle-id", by="HB-0002")


def test_onb_4_status_counts_done_open_and_overdue_items_per_phase(sqlite_runtime):
    """Each running hire has a row with done/open/overdue per phase, buddy and next check-in."""
    _planned_examples(sqlite_runtime)
    with sqlite_runtime.factory() as session:
        rows = {r["hire"]: r for r in status_rows(session, sqlite_runtime.config(HB), DAY)}
    assert list(rows) == ["NH-2027-001", "NH-2027-002", "NH-2027-003", "NH-2027-004"]
    first = rows["NH-2027-001"]
    assert {k: first[k] for k in list(first)[:9]} == {
        "hire": "NH-2027-001",
        "start": "2027-02-01",
        "fase": "0-3 mnd",
        "vóór dag 1 k/o/t": "3/0/9",  # buddy and check-ins by poflow, controle-id by P&O
        "dag 1 k/o/t": "0/0/5",
        "0-3 mnd k/o/t": "0/2/2",
        "3-6 mnd k/o/t": "0/3/0",
        "buddy": "ja",
        "volgende bij praat moment": "2027-03-01",
    }
    assert rows["NH-2027-003"]["3-6 mnd k/o/t"] == "–"  # a five-month intern: no six-month items
    assert rows["NH-2027-003"]["fase"] == "vóór dag 1"


def test_onb_4_a_declared_column_appears_in_every_row(sqlite_runtime):
    """Another process declares a status column; each row then carries it."""
    _planned_examples(sqlite_runtime)

    def weeks_in_service(session, hires: list[Hire], day: date, configs) -> dict[str, str]:
        return {h.id: str(max((day - h.first_working_day).days // 7, 0)) for h in hires}

    column = StatusColumn("weken in dienst", weeks_in_service)
    with sqlite_runtime.factory() as session:
        rows = status_rows(session, sqlite_runtime.config(HB), DAY, columns=(column,))
    assert [r["weken in dienst"] for r in rows] == ["2", "0", "0", "0"]


def test_onb_4_markdown_overview_draws_a_completion_bar_per_phase():
    """The municipality view shows a 20-block bar and the counts for each phase."""
    totals = {
        Phase.VOOR: PhaseCount(done=15, open=3, overdue=2),
        Phase.EERSTE_WERKDAG: PhaseCount(),
        Phase.DRIE_MAANDEN: PhaseCount(open=4),
        Phase.ZES_MAANDEN: PhaseCount(done=1, open=1),
    }
    text = markdown_overview("Gemeente Hardenberg", DAY, totals, hires=2)
    bar = "█" * 15 + "░" * 5
    assert f"| Vóór de eerste werkdag | `{bar}` 75 % | 15 | 3 | 2 ⚠️ |" in text
    assert "| De eerste zes maanden | `" + "█" * 10 + "░" * 10 + "` 50 % | 1 | 1 | 0 |" in text
    assert "2 nieuwe collega('s) in onboarding." in text


def test_onb_4_poflow_status_prints_the_table_and_the_onboarding_commands_work(sqlite_runtime):
    """`poflow status` shows the rows; `poflow onboarding done` and `buddy` change the hire."""
    from poflow.cli import app

    _planned_examples(sqlite_runtime)
    runner = CliRunner()
    shown = runner.invoke(app, ["status", "--municipality", HB, "--date", DAY.isoformat()])
    assert shown.exit_code == 0, shown.output
    assert "Onboarding Gemeente Hardenberg, 2027-02-16" in shown.output
    assert "NH-2027-001" in shown.output
    assert "3/0/9" in shown.output
    done = runner.invoke(
        app, ["onboarding", "done", "NH-2027-001", "bos-bloemen", "--by", "HB-0004"]
    )
    assert done.exit_code == 0
    assert "is now done" in done.output
    again = runner.invoke(app, ["onboarding", "done", "NH-2027-001", "bos-bloemen"])
    assert "was already done" in again.output
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0006"])
    assert buddy.exit_code == 1  # HB-0006 is the hire's own leidinggevende (BUD-1)
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0011"])
    assert buddy.exit_code == 1  # HB-0011 works in another team
    with sqlite_runtime.factory() as session, session.begin():
        session.add(
            Person(
                id="HB-0099",
                municipality=HB,
                given_name="Vera",
                family_name="Pauw",
                email="vera.pauw@hardenberg.example.nl",
                team="Maatschappelijk domein",
            )
        )
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0099"])
    assert buddy.exit_code == 0, buddy.output
    with sqlite_runtime.factory() as session:
        assert session.get(Hire, "NH-2027-002").buddy_id == "HB-0099"


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
