"""Tests of the dispatcher flow against a real Prefect API: idempotent, ids only, nothing lost."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from poflow.db.models import Outbox
from poflow.states import MailState
from tests.conftest import SmtpRecorder, free_port

pytestmark = pytest.mark.usefixtures("prefect_harness")

PERSONAL = (
    "Lotte",
    "Hendriks",
    "Milan",
    "Dekker",
    "Noor",
    "Bakker",
    "Olaf",
    "Meijer",
    "Dirk",
    "Mulder",
    "@",
)


def _runs(flow_name: str) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async def fetch() -> list[Any]:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name]))
            )
            tasks = await client.read_task_runs()
            return [*runs, *tasks]

    return asyncio.run(fetch())


def test_x_1_a_second_tick_for_the_same_day_sends_nothing(example_data: Any, smtp: SmtpRecorder):
    """The flow for a day, run twice, sends its 11 invitations (the leidinggevenden's) once."""
    from poflow.flows.dispatcher import dispatcher

    first = dispatcher(day=date(2027, 1, 4))
    second = dispatcher(day=date(2027, 1, 4))
    assert first["municipalities"]["hardenberg"]["planned"] == 4
    assert second["mail"]["sent"] == 0
    assert second["municipalities"]["hardenberg"] == {"planned": 0, "performed": 0, "skipped": 0}
    assert len(smtp.messages) == first["mail"]["sent"]
    assert len([m for m in smtp.messages if "Uitnodiging: bijpraat" in m["Subject"]]) == 11


def test_x_3_run_names_and_parameters_hold_ids_only(example_data: Any, smtp: SmtpRecorder):
    """No name or address of a person reaches Prefect's run names or parameters, the daily
    parent's nor those of each process's run."""
    from poflow.flows.dispatcher import dispatcher
    from poflow.processes import DAILY_ORDER

    dispatcher(day=date(2027, 1, 4), municipality="hardenberg")
    runs = [run for flow in ("dispatcher", *DAILY_ORDER) for run in _runs(f"poflow-{flow}")]
    assert runs
    text = " ".join(f"{r.name} {getattr(r, 'parameters', '')}" for r in runs)
    assert "dispatch-2027-01-04-hardenberg" in text
    for process in DAILY_ORDER:
        assert f"{process}-2027-01-04-hardenberg" in text
    assert not [p for p in PERSONAL if p in text]


def test_x_2_smtp_down_fails_the_run_loses_nothing_and_the_next_tick_sends_it(
    example_data: Any, smtp: SmtpRecorder, monkeypatch: pytest.MonkeyPatch
):
    """With the server down the run fails visibly; the next tick delivers everything queued."""
    from poflow.flows.dispatcher import dispatcher
    from poflow.runtime import _runtime
    from poflow.settings import get_settings

    def point_smtp_at(port: int) -> None:
        monkeypatch.setenv("POFLOW_SMTP_PORT", str(port))
        monkeypatch.setenv("POFLOW_SEND_RETRIES", "1")
        monkeypatch.setenv("POFLOW_SEND_RETRY_DELAY_S", "0")
        monkeypatch.setenv("POFLOW_SMTP_TIMEOUT_S", "2")
        get_settings.cache_clear()
        _runtime.cache_clear()

    point_smtp_at(free_port())
    state = dispatcher(day=date(2027, 1, 4), return_state=True)
    assert state.is_failed()
    rt = example_data
    with rt.factory() as session:
        queued = session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state == MailState.QUEUED)
        )
    assert queued >= 11 + 3  # at least the invitations and a failure notice per P&O mailbox
    point_smtp_at(smtp.port)
    summary = dispatcher(day=date(2027, 1, 5))
    assert summary["mail"]["sent"] >= queued
    assert len([m for m in smtp.messages if "Uitnodiging: bijpraat" in m["Subject"]]) == 11
    with rt.factory() as session:
        assert not session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state == MailState.QUEUED)
        )
    notices = [m for m in smtp.messages if "is mislukt" in str(m["Subject"])]
    assert {str(m["To"]).split("<")[-1].rstrip(">") for m in notices} == {
        "po@hardenberg.example.nl",
        "po@kaag-en-braassem.example.nl",
        "po@borger-odoorn.example.nl",
    }
