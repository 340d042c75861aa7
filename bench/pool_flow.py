"""The flow the scale-out benchmark deploys to a Prefect work pool: one worker's share of a day.

`day_share(day, rendezvous)` warms up (imports, configuration, a database connection), writes
`<rendezvous>/ready-<flow run id>`, waits for `<rendezvous>/go`, runs the day's work
(`run_day`, whose claims skip rows another worker holds) and writes its totals, its CPU seconds
and the simulated host it ran on to `<rendezvous>/done-<flow run id>.json`. So the benchmark
times the work alone on both sides, not the workers' start of a flow-run process. Parameters
and results are a date, a folder and counts: nothing personal (X-3).
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from poflow.runtime import get_runtime, run_day

GO_TIMEOUT_S = 600


@flow(name="bench-day-share", log_prints=False)
def day_share(day: str, rendezvous: str, batch_size: int = 500) -> dict[str, int]:
    """Run `day`'s work as one of several workers, after the benchmark's go."""
    folder = Path(rendezvous)
    run_id = str(flow_run.id)
    rt = get_runtime()
    with rt.factory() as session:
        session.connection()
    (folder / f"ready-{run_id}").write_text(os.environ.get("POFLOW_BENCH_HOST", "?"))
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark gave no go")
        time.sleep(0.02)
    began = time.process_time()
    totals = run_day(rt, date.fromisoformat(day), batch_size=batch_size)
    done = {
        "totals": totals,
        "cpu_s": round(time.process_time() - began, 2),
        "host": os.environ.get("POFLOW_BENCH_HOST", "?"),
        "ended": time.time(),
    }
    tmp = folder / f"done-{run_id}.tmp"
    tmp.write_text(json.dumps(done))
    tmp.replace(folder / f"done-{run_id}.json")
    return dict(totals)
