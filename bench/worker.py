"""One scale-out worker: `python -m bench.worker DAY` runs run_day once after "go" on stdin.

Settings come from POFLOW_* variables. It warms up (imports, configuration, a connection) and
prints "ready" first, so the benchmark times only the work; it prints its totals as JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import date

from poflow.runtime import get_runtime, run_day

if __name__ == "__main__":
    rt = get_runtime()
    with rt.factory() as session:
        session.connection()
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(run_day(rt, date.fromisoformat(sys.argv[1]))), flush=True)
