"""The round as a real Prefect flow: it waits paused for people and ends where the rules say."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from poflow.approvals.models import ApprovalRequest
from poflow.db.models import Hire
from poflow.recruitment.models import RecruitmentRound
from tests.conftest import wait_for
from tests.recruitment.support import (
    COLLEGA,
    GS_MAIL,
    MT,
    MT_MAIL,
    OR_MAIL,
    PO,
    PO_MAIL,
    TEAM,
    approve_by_mail,
    contract_by_mail,
    round_at_terms,
)


class Background:
    """Runs a flow in a thread with this thread's Prefect settings; keeps its result."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(self._run, fn), daemon=True)
        self.thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self.result = fn()
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread, which re-raises)
            self.error = exc

    def join(self, timeout: float = 90) -> Any:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the flow did not finish"
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def rt(shared: tuple[Any, Any], prefect_harness: None) -> Any:
    """The module's SQLite runtime, with a temporary Prefect API."""
    return shared[0]


@pytest.fixture
def smtp(shared: tuple[Any, Any]) -> Any:
    """The module's SMTP server."""
    return shared[1]


def waiting(rt: Any, subject_type: str) -> Callable[[], bool]:
    """True once a four-eyes subflow has attached itself to a request of `subject_type`."""

    def check() -> bool:
        with rt.factory() as s:
            rows = s.scalars(
                select(ApprovalRequest).where(
                    ApprovalRequest.subject_type == subject_type,
                    ApprovalRequest.flow_run_id.is_not(None),
                )
            ).all()
            return bool(rows)

    return check


def test_rec_9_rec_10_the_flow_waits_for_both_eyes_then_creates_the_hire(
    rt: Any, smtp: Any
) -> None:
    """The run pauses at the terms talk and ends filled only after both own-link approvals."""
    from poflow.flows.recruitment import recruitment_round

    rid, _cand = round_at_terms(rt, smtp)
    run = Background(lambda: recruitment_round(rid, poll_seconds=1))
    assert wait_for(waiting(rt, "rec_terms"), timeout=60)
    approve_by_mail(rt, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    assert run.thread.is_alive()  # one eye is not enough (REC-9)
    approve_by_mail(rt, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    assert wait_for(
        lambda: any("Arbeidsovereenkomst opstellen" in str(m["Subject"]) for m in smtp.messages),
        timeout=60,
    )
    assert run.thread.is_alive()  # the hire waits for the contract (REC-10)
    contract_by_mail(rt, smtp)
    assert run.join() == "filled"
    with rt.factory() as s:
        rnd = s.get(RecruitmentRound, rid)
        hire = s.get(Hire, rnd.hire_id)
        assert hire is not None
        assert hire.planned_version == 0
    assert any("Aanstellingsadvies" in str(m["Subject"]) for m in smtp.messages)
    _check_ids_only(rid, rnd.flow_run_id)


def _check_ids_only(round_id: str, flow_run_id: str) -> None:
    """The run's parameters and the progress artifact carry ids and counts, no names (X-3)."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id))
        assert run.parameters == {"round_id": round_id, "poll_seconds": 1, "timeout_days": 60}
        assert run.name == f"round-{round_id}"
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"recruitment-{round_id.lower()}"])
            )
        )
    assert artifacts
    text = str(max(artifacts, key=lambda a: a.created).data)  # the latest version
    assert "filled" in text
    for name in ("Lisa", "Testpersoon", "Mulder", "example"):
        assert name not in text


def test_rec_2_the_flow_from_the_ui_ends_when_the_or_rejects(rt: Any, smtp: Any) -> None:
    """Opened from the UI with ids only, the round ends cancelled on the OR's rejection."""
    from poflow.flows.recruitment import RoundNeed, open_recruitment_round

    need = RoundNeed(
        municipality="hardenberg",
        team=TEAM,
        function="Jurist omgevingsrecht",
        fte=1.0,
        formation_change=True,
        po_id=PO,
        mt_lid_id=MT,
        leidinggevende_id=MT,
        colleague_id=COLLEGA,
    )
    run = Background(lambda: open_recruitment_round(need, poll_seconds=1))
    assert wait_for(waiting(rt, "rec_formation"), timeout=60)
    approve_by_mail(rt, smtp, GS_MAIL, "Jurist omgevingsrecht")
    approve_by_mail(
        rt, smtp, OR_MAIL, "Jurist omgevingsrecht", "niet_akkoord", "Geen dekking in de begroting."
    )
    round_id = run.join()  # called directly, the round ran here as a subflow
    with rt.factory() as s:
        rnd = s.scalar(
            select(RecruitmentRound).where(RecruitmentRound.function == "Jurist omgevingsrecht")
        )
        assert (rnd.id, rnd.state.value) == (round_id, "cancelled")
        assert rnd.close_note == "Geen dekking in de begroting."


def test_x_3_retention_is_a_daily_scheduled_flow_that_reports_counts(rt: Any) -> None:
    """The purge runs as a Prefect flow on a daily Amsterdam schedule and returns counts only."""
    from datetime import date

    from poflow.flows.recruitment import deployments, recruitment_retention

    summary = recruitment_retention(day=date(2027, 1, 4), municipality="hardenberg")
    assert summary == {"hardenberg": {"candidates": 0, "mails": 0, "steps": 0}}
    found = {d.name: d for d in deployments()}
    assert set(found) == {"daily", "round", "open", "daily-retention"}
    schedule = found["daily-retention"].schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("30 2 * * *", "Europe/Amsterdam")
    assert not found["round"].schedules


def paused(rt: Any, round_id: str) -> Callable[[], bool]:
    """True while the round's own flow run is paused (waiting for a person's step)."""
    from uuid import UUID

    from prefect.client.orchestration import get_client

    def check() -> bool:
        with rt.factory() as s:
            run_id = s.get(RecruitmentRound, round_id).flow_run_id
        if run_id is None:
            return False
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(run_id)).state
        return state is not None and state.is_paused()

    return check


def test_rec_3_rec_4_the_flow_waits_for_po_then_for_both_confirmations(rt: Any, smtp: Any) -> None:
    """Paused until P&O drafts, then until P&O and MT confirm; published, then cancelled."""
    from poflow.flows.recruitment import recruitment_round
    from poflow.recruitment import rounds, vacancy
    from tests.recruitment.support import D0, open_round, run

    rid = open_round(rt, formation_change=False)
    flow = Background(lambda: recruitment_round(rid, poll_seconds=1))
    assert wait_for(paused(rt, rid), timeout=60)
    run(rt, D0, vacancy.draft_vacancy, rid, "Een tekst die P&O opstelde met het MT.", by=PO)
    assert wait_for(waiting(rt, "rec_vacancy"), timeout=60)
    approve_by_mail(rt, smtp, PO_MAIL, "Vacaturetekst")
    approve_by_mail(rt, smtp, MT_MAIL, "Vacaturetekst")
    assert wait_for(lambda: paused(rt, rid)() and _state(rt, rid) == "internal", timeout=60)
    run(rt, D0, rounds.cancel_round, rid, by=PO)
    assert flow.join() == "cancelled"


def _state(rt: Any, round_id: str) -> str:
    with rt.factory() as s:
        return s.get(RecruitmentRound, round_id).state.value
