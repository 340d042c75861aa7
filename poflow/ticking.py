"""`poflow tick` without a Prefect server: what it does when Prefect's temporary server is slow.

Without PREFECT_API_URL a tick's flow runs talk to a temporary Prefect server that the tick
starts itself; Prefect waits 20 s for it by default, and on a busy machine its start can take
longer ("Timed out while attempting to connect to ephemeral Prefect API server"). poflow waits
POFLOW_PREFECT_START_TIMEOUT_S (default 120 s) instead, and if the server still does not answer,
the tick runs the same day's work without Prefect (`run_day`, the steps the dispatcher runs as
tasks) and says so: the work does not depend on the temporary server, only its run in the UI
does. Nothing is done twice (X-1): every action and mail has its key, whichever way it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["NO_PREFECT", "prefect_start_wait", "temporary_server_failed"]

TIMED_OUT = "Timed out while attempting to connect to ephemeral Prefect API server"
NO_PREFECT = (
    "Prefect's temporary server did not start within {s} s (a busy machine?): the day ran "
    "without Prefect, so it has no run in the Prefect UI. Set PREFECT_API_URL to a running "
    "Prefect server, or POFLOW_PREFECT_START_TIMEOUT_S to wait longer."
)


@contextlib.contextmanager
def prefect_start_wait(seconds: int) -> Iterator[None]:
    """Prefect waits `seconds` for its temporary server (when no PREFECT_API_URL is set)."""
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    if PREFECT_API_URL.value():
        yield
        return
    with temporary_settings(updates={PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: seconds}):
        yield


def temporary_server_failed(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is Prefect's temporary server not starting in time."""
    seen: Any = exc
    while seen is not None:
        if isinstance(seen, RuntimeError) and TIMED_OUT in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
