"""The waiting-rounds part of the reliability report: `poflow serve` stopped while rounds wait."""

from __future__ import annotations

from typing import Any

__all__ = ["waits_section", "waits_summary"]


def waits_summary(results: dict[str, list[dict[str, Any]]]) -> str:
    """The summary line's field: decided waiting rounds that continued exactly once / decided."""
    waits = results.get("waits", [])
    continued = sum(w["continued"] for w in waits)
    return f" waits_survived={continued}/{sum(w['decided'] for w in waits)}"


def waits_section(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The restart scenarios (X-1): rounds suspended in Prefect while `poflow serve` stops."""
    waits = results.get("waits", [])
    timeouts = results.get("waits_timeout", [])
    lines = [
        "## Waiting rounds and restarts (X-1: nothing lost, nothing done twice)",
        "",
        "Twenty recruitment rounds wait for their formation decision, each a flow run "
        "*Suspended* on the Prefect server (no process). `poflow serve` (the web app and every "
        "deployment) is stopped with SIGTERM, ten rounds are decided by link while nothing "
        "serves the flows, and it is started again; then it is killed with SIGKILL, started "
        "again, and the other ten are decided. Continued = the round moved to drafting exactly "
        "once, by its own (one) flow run, which then waits suspended again; doubled = moved "
        "more than once; resume s = from the restart or the decisions until all had moved.",
        "",
        "| scenario | db | waiting | decided | continued | lost | doubled | stop s | resume s "
        "| notes |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {w['scenario']} | {w['db']} | {w['waiting']} | {w['decided']} | "
            f"{w['continued']} | {w['lost']} | {w['doubled']} | {w['stop_s']} | "
            f"{w['resume_s']} | {w['notes']} |"
            for w in waits
        ],
        "",
    ]
    for t in timeouts:
        lines += [
            f"A wait that ran out of time ({t['db']}): the Prefect server failed the suspended "
            f"run and the waits watch mailed P&O {t['notices']} time(s) over two passes; it "
            f"resumed {t['resumed']} round whose wake-up was lost (the API unreachable at the "
            "decision's commit).",
            "",
        ]
    return lines
