"""`poflow tick` when Prefect's temporary server does not start in time (issue 19, item 5):
the day's work does not depend on it. On a busy machine the temporary server (no PREFECT_API_URL)
can take longer to start than poflow waits (POFLOW_PREFECT_START_TIMEOUT_S, default 120 s);
the tick then runs the same day without Prefect, says so on stderr, and sends the day's mail once
(X-1). Here the wait is 0 s, so the server can never be in time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT, SmtpRecorder


def _poflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "poflow", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_x_1_a_tick_whose_temporary_prefect_server_is_late_runs_the_day_without_prefect(
    poflow_env: dict[str, str], tmp_path: Path, smtp: SmtpRecorder
):
    """The tick runs the day without Prefect when the temporary server is late, tells why, and
    a second tick for the day sends nothing more."""
    env = {**os.environ, **poflow_env, "POFLOW_PREFECT_START_TIMEOUT_S": "0"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    env.pop("PREFECT_API_URL", None)
    for kind, extra in (("staff", []), ("hires", ["--allow-past"])):
        done = _poflow(env, "import", kind, str(EXAMPLES / f"{kind}.csv"), *extra)
        assert done.returncode == 0, done.stderr[-2000:]
    first = _poflow(env, "tick", "--date", "2027-01-04")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "did not start within 0 s" in first.stderr
    assert "the day ran without Prefect" in first.stderr
    sent = int(re.search(r"(\d+) mail\(s\) sent", first.stdout).group(1))
    assert sent == len(smtp.messages) > 0
    talks = [m for m in smtp.messages if "Uitnodiging: bijpraatmoment" in m["Subject"]]
    assert len(talks) == 11  # the same day as through Prefect (tests/test_cli.py)
    second = _poflow(env, "tick", "--date", "2027-01-04")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "0 mail(s) sent" in second.stdout
    assert len(smtp.messages) == sent
