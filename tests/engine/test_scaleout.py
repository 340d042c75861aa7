"""Scale-out on PostgreSQL: several worker processes split one day's due work (SKIP LOCKED).

Real subprocesses run the same day at once against one database and one SMTP server; what the
server received is counted against the outbox (X-1). Speed-up is measured by the benchmark
(`python -m bench`), never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from poflow.db.models import Action, Outbox
from poflow.states import ActionState, MailState
from tests.conftest import EXAMPLES, ROOT, SmtpRecorder, create_pg_database

pytestmark = pytest.mark.postgres

DAY = date(2027, 1, 25)  # invitations, welcomes and 203 checklist notices: digests too
BATCH = 20  # small batches, so that the workers take turns within the day's notices
WORKER = (
    "import json, sys\n"
    "from datetime import date\n"
    "from poflow.runtime import get_runtime, run_day\n"
    "print(json.dumps(run_day(get_runtime(), date.fromisoformat(sys.argv[1]),\n"
    "                         batch_size=int(sys.argv[2]))))\n"
)


# The working days of February 2027 up to the 26th (a start date must be one).
FEBRUARY = [d for d in range(1, 27) if date(2027, 2, d).weekday() < 5]


def write_hires(path: Path, n: int) -> Path:
    """A hires file of `n` fictional new colleagues of Hardenberg starting on working days of
    February 2027."""
    lines = [EXAMPLES.joinpath("hires.csv").read_text(encoding="utf-8").splitlines()[0]]
    for i in range(1, n + 1):
        manager, buddy = ("HB-0004", "HB-0005") if i % 2 else ("HB-0006", "HB-0007")
        lines.append(
            f"SO-{i:03d},Test{i},Schaal,test{i}@example.org,"
            f"test{i}.schaal@hardenberg.example.nl,Team {i % 3},Medewerker,{manager},"
            f"{buddy},vast,,2027-02-{FEBRUARY[i % len(FEBRUARY)]:02d},hardenberg"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def pg_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pg_server: str, smtp: SmtpRecorder
) -> Any:
    """A runtime on a fresh PostgreSQL database with the example staff and 40 more hires."""
    from poflow.db.session import upgrade_schema
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    url = create_pg_database(pg_server)
    upgrade_schema(url)
    for key, value in {
        "POFLOW_DATABASE_URL": url,
        "POFLOW_DATA_DIR": str(tmp_path / "data"),
        "POFLOW_SMTP_HOST": "127.0.0.1",
        "POFLOW_SMTP_PORT": str(smtp.port),
        "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    _runtime.cache_clear()
    rt = get_runtime()
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)
        import_hires(session, write_hires(tmp_path / "more.csv", 40), rt.configs)
    yield rt
    get_settings.cache_clear()
    _runtime.cache_clear()


def run_workers(count: int, day: date) -> list[dict[str, int]]:
    """Start `count` worker processes for `day` at once and return each one's totals."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, day.isoformat(), str(BATCH)],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_x_1_three_workers_split_a_day_and_send_each_message_once(
    pg_runtime: Any, smtp: SmtpRecorder
):
    """Three worker processes on one day perform each due action once, send each mail once
    and each recipient one digest."""

    rt = pg_runtime
    for slug in rt.slugs():
        rt.plan(slug, DAY)
    with rt.factory() as session:
        due = (
            session.scalar(
                select(func.count())
                .select_from(Action)
                .where(Action.state == ActionState.PENDING, Action.due_date <= DAY)
            )
            or 0
        )
    assert due > 300
    totals = run_workers(3, DAY)
    with rt.factory() as session:
        sent = (
            session.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.state == MailState.SENT)
            )
            or 0
        )
        queued = (
            session.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.state == MailState.QUEUED)
            )
            or 0
        )
        still_due = (
            session.scalar(
                select(func.count())
                .select_from(Action)
                .where(Action.state == ActionState.PENDING, Action.due_date <= DAY)
            )
            or 0
        )
        digests = session.scalars(
            select(Outbox.recipient_email).where(Outbox.template == "onboarding/digest")
        ).all()
        made = (
            session.scalar(
                select(func.count()).select_from(Action).where(Action.kind == "onb.digest")
            )
            or 0
        )  # digest actions the day itself added
    ids = [str(m["Message-ID"]) for m in smtp.messages]
    assert digests
    assert len(digests) == len(set(digests))
    assert sent > 0
    assert queued == 0
    assert still_due == 0
    assert len(smtp.messages) == sent == sum(t["sent"] for t in totals)
    assert len(set(ids)) == len(ids)
    assert sum(t["performed"] + t["skipped"] for t in totals) == due + made
    assert all(t["failed"] == 0 for t in totals)


def test_x_1_workers_running_a_finished_day_again_send_nothing(pg_runtime: Any, smtp: SmtpRecorder):
    """Two more workers on a day that is done find nothing to do and send nothing."""
    run_workers(2, DAY)
    before = len(smtp.messages)
    totals = run_workers(2, DAY)
    assert len(smtp.messages) == before
    assert all(t["sent"] == 0 and t["performed"] == 0 for t in totals)
