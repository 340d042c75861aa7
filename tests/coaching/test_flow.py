"""The coaching report flow under a real Prefect API: a markdown artifact, counts only (LBC-3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from poflow.coaching.importer import import_registrations
from poflow.db.models import Person
from poflow.flows.coaching import coaching_report, deployments
from poflow.link_tokens import verify_token
from poflow.tasks.coaching import artifact_key
from tests.coaching.support import seed_rows, write_seed_csv


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the database is not the subject here (the importer tests run both)."""
    return sqlite_url


def _names(example_data: Any) -> list[str]:
    """Every name and address the records and staff hold, that Prefect must never see."""
    with example_data.factory() as session:
        people = session.scalars(select(Person)).all()
        staff = [p.family_name for p in people] + [p.email for p in people]
    return [str(r["employee_name"]) for r in seed_rows()] + staff + ["Voorbeeldsma"]


def test_lbc_3_report_flow_publishes_the_seed_tables_as_an_artifact_without_names(
    prefect_harness: None,
    example_data: Any,
    tmp_path: Path,
) -> None:
    """The flow's artifact holds the seed's tables and a chart; no name reaches Prefect (X-3)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        LogFilter,
        LogFilterFlowRunId,
    )

    rt = example_data
    with rt.factory() as session, session.begin():
        import_registrations(
            session, write_seed_csv(tmp_path / "lbc.csv"), rt.configs, today=date(2021, 1, 15)
        )
    state = coaching_report(
        year=2020,
        municipality="hardenberg",
        as_of=date(2021, 1, 1),
        mail_coaches=False,
        return_state=True,
    )
    summary = state.result()
    assert summary["municipalities"]["hardenberg"]["registrations"] == 63
    assert summary["municipalities"]["hardenberg"]["target_next_year"] == 60
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[artifact_key("hardenberg", 2020)])
            )
        )
        run = client.read_flow_run(state.state_details.flow_run_id)
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
    assert len(artifacts) == 1
    assert artifacts[0].type == "markdown"
    markdown = str(artifacts[0].data)
    for line in (
        "| Bedrijfsvoering en concern | 32 |",
        "| Samen Doen BV | 5 |",
        "| **Totaal** | **63** |",
        "| Gestelde doelen | Doel 1 | Doel 1 behaald | Doel 2 | Doel 2 Behaald |",
        "| 1 – Wat wil ik? | 45 | 41 | 27 | 4 |",
        "| 2 – Ontwikkelvraag – advies | 5 | 5 |  |  |",
        "| 3 – Intern of extern andere baan | 13 | 4 | 12 | 8 |",
        "Streefcijfer 2021: 60 aanmeldingen",
    ):
        assert line in markdown
    assert "█" * 30 + " 32" in markdown  # the bar chart, scaled to the largest domain
    assert run.name == "coaching-report-2020-hardenberg"
    seen = " ".join(
        [markdown, run.name, str(run.parameters), str(summary), *(log.message for log in logs)]
    )
    leaked = [name for name in _names(rt) if name in seen]
    assert leaked == []


def test_lbc_1_each_coach_gets_the_month_s_form_links_once(
    prefect_harness: None,
    example_data: Any,
    smtp: Any,
    tmp_path: Path,
) -> None:
    """The monthly run mails the coach a registration link and one link per open trajectory,
    by number only, once per month however often it runs (X-1)."""
    rt = example_data
    with rt.factory() as session, session.begin():
        import_registrations(
            session, write_seed_csv(tmp_path / "lbc.csv"), rt.configs, today=date(2021, 1, 15)
        )
    for _ in range(2):
        summary = coaching_report(year=2021, municipality="hardenberg", as_of=date(2021, 2, 1))
    assert summary["municipalities"]["hardenberg"]["coach_mails"] == 0  # the second run
    (mail,) = smtp.to("hanna.kok@hardenberg.example.nl")
    assert str(mail["Subject"]) == "Je formulieren voor loopbaancoaching deze maand"
    body = mail.get_body(("plain",)).get_content()
    assert body.count("/a/") == 1 + 22  # 17 in traject and 5 stopped early can be updated
    assert "Voorbeeldsma" not in body
    token = body.split("Nieuwe aanmelding vastleggen: ")[1].split()[0].rsplit("/", 1)[-1]
    with rt.factory() as session:
        link = verify_token(session, secret=rt.settings.signing_keys(), token=token)
        assert (link.action, link.subject_id) == ("coaching.register", "HB-0008")


def test_lbc_2_the_report_is_scheduled_monthly_in_amsterdam_time() -> None:
    """The deployment runs on the 1st of every month, 07:30 Europe/Amsterdam."""
    (deployment,) = deployments()
    schedule = deployment.schedules[0].schedule
    assert (deployment.name, schedule.cron, schedule.timezone) == (
        "coaching-report-monthly",
        "30 7 1 * *",
        "Europe/Amsterdam",
    )
