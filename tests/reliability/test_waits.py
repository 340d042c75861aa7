"""Waits that hold nothing: 20 rounds wait suspended while `poflow serve` is stopped with SIGTERM
and with SIGKILL and started again; all continue once decided, none lost, none doubled (X-1)."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from poflow.recruitment.models import RecruitmentRound, RoundTransition
from tests.conftest import SmtpRecorder, free_port, wait_for
from tests.recruitment.support import (
    GS_MAIL,
    OR_MAIL,
    body,
    click,
    import_example_staff,
    open_round,
    send,
    tokens,
)
from tests.reliability.support import record
from tests.reliability.waits_support import (
    ServeProcess,
    descendants,
    prefect_api,
    run_states,
    start_rounds,
)

pytestmark = pytest.mark.prefect_server
ROUNDS = 20


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server for the module (on its default SQLite)."""
    with prefect_api(tmp_path_factory.mktemp("prefect-home")) as url:
        yield url


@pytest.fixture
def serve(api: str, poflow_env: dict[str, str], tmp_path: Path) -> Iterator[ServeProcess]:
    """`poflow serve` on this test's poflow database and SMTP server (started by the test)."""
    process = ServeProcess({**poflow_env, "PREFECT_API_URL": api}, tmp_path / "serve.log")
    try:
        yield process
    finally:
        process.close()


def _states(rt: Any, ids: list[str]) -> dict[str, str]:
    with rt.factory() as s:
        return {
            r.id: r.state.value
            for r in s.scalars(select(RecruitmentRound).where(RecruitmentRound.id.in_(ids)))
        }


def _suspended(runs: dict[str, str], ids: list[str]) -> bool:
    states = run_states([runs[i] for i in ids])
    return len(states) == len(ids) and all(s is not None and s.is_paused() for s in states.values())


def _moved(rt: Any, ids: list[str], state: str) -> bool:
    return all(v == state for v in _states(rt, ids).values())


def _decide(rt: Any, smtp: SmtpRecorder, rid: str) -> None:
    """The gemeentesecretaris and the OR member each approve the formation change by link."""
    for address in (GS_MAIL, OR_MAIL):
        found = [
            m
            for m in smtp.messages
            if address in str(m["To"])
            and "formatiewijziging" in str(m["Subject"])
            and f"wervingsronde {rid}" in f"{m['Subject']} {body(m)}"
        ]
        assert found, f"no formation mail for {rid} to {address}"
        page = click(rt, tokens(found[-1])[0], besluit="akkoord")
        assert page.context["title"] == "Vastgelegd", page.context


def _flow_processes(serve: ServeProcess) -> list[str]:
    """The command lines of the flow-run processes below `poflow serve` (none while all wait)."""
    found = []
    for pid in descendants(serve.pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "resource_tracker" not in cmd:  # multiprocessing's own helper, not a flow run
            found.append(cmd)
    return found


def _transitions(rt: Any, ids: list[str]) -> Counter[str]:
    with rt.factory() as s:
        rows = s.execute(
            select(RoundTransition.round_id, func.count())
            .where(
                RoundTransition.round_id.in_(ids),
                RoundTransition.from_state == "formation",
                RoundTransition.to_state == "drafting",
            )
            .group_by(RoundTransition.round_id)
        ).all()
    return Counter(dict(rows))


def test_x_1_waiting_rounds_survive_sigterm_and_sigkill_of_poflow_serve(
    runtime: Any, smtp: SmtpRecorder, serve: ServeProcess, db_url: str
) -> None:
    """Twenty suspended rounds outlive both stops of `poflow serve` and each continues once."""
    db = "postgres" if db_url.startswith("postgresql") else "sqlite"
    import_example_staff(runtime)
    ids = [open_round(runtime, formation_change=True) for _ in range(ROUNDS)]
    send(runtime)
    serve.start()
    began = time.monotonic()
    runs = start_rounds(ids)
    assert wait_for(lambda: _suspended(runs, ids), timeout=240), run_states(list(runs.values()))
    started_s = time.monotonic() - began
    assert wait_for(lambda: _flow_processes(serve) == [], 30)  # waiting rounds hold no process

    first, second = ids[: ROUNDS // 2], ids[ROUNDS // 2 :]
    stop_s = serve.stop(signal.SIGTERM)
    for rid in first:  # decided while nothing serves the flows
        _decide(runtime, smtp, rid)
    serve.start()
    began = time.monotonic()
    assert wait_for(lambda: _moved(runtime, first, "drafting") and _suspended(runs, ids), 240)
    first_s = time.monotonic() - began
    kill_s = serve.stop(signal.SIGKILL)
    serve.start()
    began = time.monotonic()
    for rid in second:  # decided after the restart
        _decide(runtime, smtp, rid)
    assert wait_for(lambda: _moved(runtime, second, "drafting") and _suspended(runs, ids), 240)
    second_s = time.monotonic() - began

    with runtime.factory() as s:
        attached = dict(
            s.execute(
                select(RecruitmentRound.id, RecruitmentRound.flow_run_id).where(
                    RecruitmentRound.id.in_(ids)
                )
            ).all()
        )
    moved = _transitions(runtime, ids)
    ids_of_mail = Counter(str(m["Message-ID"]) for m in smtp.messages)
    doubled_mail = sum(n - 1 for n in ids_of_mail.values() if n > 1)
    for sig, decided, stop, took in (
        ("SIGTERM", first, stop_s, first_s),
        ("SIGKILL", second, kill_s, second_s),
    ):
        continued = sum(1 for rid in decided if moved[rid] == 1)
        record(
            "waits",
            scenario=f"poflow serve stopped with {sig} while {ROUNDS} rounds waited",
            db=db,
            waiting=ROUNDS,
            decided=len(decided),
            continued=continued,
            lost=len(decided) - continued,
            doubled=sum(1 for rid in decided if moved[rid] > 1),
            stop_s=round(stop, 2),
            resume_s=round(took, 1),
            notes=(
                "decided while serve was stopped" if sig == "SIGTERM" else "decided after restart"
            ),
        )
    assert all(moved[rid] == 1 for rid in ids), moved  # every round moved once: none lost/doubled
    assert attached == runs  # one run per round: a resume reruns it, never a second run
    assert doubled_mail == 0
    assert wait_for(lambda: _flow_processes(serve) == [], 30)
    assert started_s < 240


def test_x_1_the_waits_watch_reports_an_expired_wait_once_and_resumes_a_lost_wake_up(
    api: str, sqlite_runtime: Any, smtp: SmtpRecorder, tmp_path: Path
) -> None:
    """The watch mails P&O once for a timed-out wait and resumes a round whose wake-up was lost."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from poflow.flows.waits import waits_watch

    rt = sqlite_runtime
    import_example_staff(rt)
    env = {
        "POFLOW_DATABASE_URL": rt.settings.resolved_database_url(),
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
        "PREFECT_API_URL": api,
    }
    expiring, lost = open_round(rt, formation_change=True), open_round(rt, formation_change=True)
    send(rt)
    process = ServeProcess(env, tmp_path / "serve.log").start()
    try:
        runs = start_rounds([expiring], timeout_days=8 / 86400)  # eight seconds
        runs |= start_rounds([lost])
        assert wait_for(lambda: _suspended(runs, [expiring, lost]), timeout=180)
        dead = f"http://127.0.0.1:{free_port()}/api"
        with temporary_settings(updates={PREFECT_API_URL: dead}):
            _decide(rt, smtp, lost)  # the resume after the commit cannot reach the API
        assert wait_for(lambda: run_states([runs[expiring]])[runs[expiring]].is_failed(), 60)
        assert _states(rt, [lost]) == {lost: "formation"}
        first = waits_watch()
        assert wait_for(lambda: _moved(rt, [lost], "drafting"), timeout=120)
        second = waits_watch()  # a second pass mails nothing more
    finally:
        process.close()
    notices = [m for m in smtp.messages if "is gestopt" in str(m["Subject"])]
    record(
        "waits_timeout",
        scenario="a round's wait ran out of time; another's wake-up was lost",
        db="sqlite",
        notices=len(notices),
        resumed=first["resumed"],
    )
    assert len(notices) == 1
    assert expiring in str(notices[0]["Subject"])
    assert (first["resumed"], second["resumed"]) == (1, 0)
