"""One scale-out worker: `python -m bench.worker DAY` runs run_day once after "go" on stdin.

Settings come from POFLOW_* variables. It warms up (imports, configuration, a connection) and
prints "ready" first, so the benchmark times only the work. It then prints its totals and the
CPU seconds the day took as JSON, and waits for stdin to close before it exits.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

from poflow.runtime import get_runtime, run_day

if __name__ == "__main__":
    rt = get_runtime()
    with rt.factory() as session:
        session.connection()
    print("ready", flush=True)
    sys.stdin.readline()
    began = time.process_time()
    totals = run_day(rt, date.fromisoformat(sys.argv[1]))
    print(
        json.dumps({"totals": totals, "cpu_s": round(time.process_time() - began, 2)}), flush=True
    )
    sys.stdin.read()
