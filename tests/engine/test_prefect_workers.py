"""Scale-out on Prefect's own machinery (issue 19, item 3): two `prefect worker start`
processes, each on its own simulated host (a network namespace reaching this machine over a veth
pair, 198.18.1.0/24), poll a work pool of type process on a Prefect server that keeps its state
in PostgreSQL; poflow's database is PostgreSQL too. Each worker runs one flow run of the day's
work; what the SMTP server received is counted against the outbox (X-1).

Needs root for the namespaces (CI runs as root); speed-up is measured by `python -m bench`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bench.hosts import hosts_available, simulated_hosts
from bench.pool import prefect_cluster, run_on_workers
from bench.sink import SinkProcess
from poflow.db.models import Action, Outbox
from poflow.localpg import LocalPostgres, admin_sql, free_port
from poflow.states import ActionState, MailState
from tests.conftest import EXAMPLES
from tests.engine.test_scaleout import BATCH, DAY, write_hires

pytestmark = pytest.mark.postgres
NET = "198.18.1"  # not the benchmark's 198.18.0: both may run at once


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Two hosts, a PostgreSQL server reachable from them with poflow's database (the example
    staff and 40 more hires, planned for DAY), a Prefect server on it with the work pool, and
    an SMTP sink on the bridge."""
    why_not = hosts_available()
    if why_not:
        pytest.skip(why_not)
    from poflow.db.session import make_engine, upgrade_schema
    from poflow.importer import import_hires, import_staff
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings

    with (
        simulated_hosts(2, prefix="pft", net=NET) as hosts,
        LocalPostgres(listen=("127.0.0.1", f"{NET}.1"), options="-c max_connections=100") as pg,
    ):
        admin_sql(pg.url, 'CREATE DATABASE "poflow"')
        url = f"{pg.url}/poflow"
        upgrade_schema(url)
        sink = SinkProcess(free_port(), tmp_path, host=f"{NET}.1")
        env = {
            "POFLOW_DATABASE_URL": url,
            "POFLOW_DATA_DIR": str(tmp_path / "data"),
            "POFLOW_SMTP_HOST": f"{NET}.1",
            "POFLOW_SMTP_PORT": str(sink.port),
            "POFLOW_SECRET_KEY": "test-secret-key-for-poflow-tests",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        _runtime.cache_clear()
        rt = get_runtime()
        with rt.factory() as session, session.begin():
            import_staff(session, EXAMPLES / "staff.csv", rt.configs)
            import_hires(session, EXAMPLES / "hires.csv", rt.configs)
            import_hires(session, write_hires(tmp_path / "more.csv", 40), rt.configs)
        for slug in rt.slugs():
            rt.plan(slug, DAY)
        try:
            with prefect_cluster(pg.url, tmp_path, f"{NET}.1") as prefect:
                yield {"rt": rt, "hosts": hosts, "prefect": prefect, "env": env, "sink": sink}
        finally:
            sink.stop()
            make_engine(url).dispose()
            get_settings.cache_clear()
            _runtime.cache_clear()


def _recipients(rt: Any) -> list[str]:
    with rt.factory() as session:
        return list(
            session.scalars(
                select(Outbox.recipient_email).where(Outbox.template == "onboarding/digest")
            )
        )


def _count(rt: Any, query: Any) -> int:
    with rt.factory() as session:
        return session.scalar(query) or 0


def test_x_1_two_prefect_workers_on_two_hosts_split_a_day_and_send_each_message_once(
    cluster: dict[str, Any], tmp_path: Path
):
    """Two Prefect workers, each in its own namespace, run one flow run each of the day's work
    from the work pool; both complete, every due action is done once and every mail reaches the
    SMTP server once."""
    rt = cluster["rt"]
    pending = select(func.count()).select_from(Action)
    due = _count(rt, pending.where(Action.state == ActionState.PENDING, Action.due_date <= DAY))
    assert due > 300
    ran = run_on_workers(cluster["prefect"], cluster["hosts"], cluster["env"], DAY.isoformat(),
                         tmp_path, batch_size=BATCH)  # fmt: skip
    assert ran["states"] == ["COMPLETED", "COMPLETED"]
    assert sorted(o["host"] for o in ran["outs"]) == ["pft-1", "pft-2"]
    assert all(o["totals"]["performed"] > 0 for o in ran["outs"]), ran["outs"]  # both worked
    left = _count(rt, pending.where(Action.state == ActionState.PENDING, Action.due_date <= DAY))
    assert left == 0
    made = _count(rt, select(func.count()).select_from(Action).where(Action.kind == "onb.digest"))
    done = sum(o["totals"]["performed"] + o["totals"]["skipped"] for o in ran["outs"])
    assert done == due + made  # none twice, none skipped; the day adds its digests
    digests = _recipients(rt)
    assert digests
    assert len(digests) == len(set(digests))  # one digest per recipient (ONB-3)
    sent = _count(
        rt, select(func.count()).select_from(Outbox).where(Outbox.state == MailState.SENT)
    )
    received = cluster["sink"].counts()
    assert received["accepted"] == sent > 0
    assert received["repeated_message_ids"] == 0
