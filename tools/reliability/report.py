"""Run the reliability tests with a results file, then turn the results into docs/reliability.md.

The tests append one JSON line per scenario, malformed input, bypass attempt, privacy scan and
audit check to the file named by POFLOW_RELIABILITY_RESULTS (tests/reliability/support.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.reliability.waits import waits_section, waits_summary

__all__ = ["TEST_MODULES", "build_markdown", "load_results", "main", "summary_line"]

ROOT = Path(__file__).resolve().parents[2]
TEST_MODULES = (
    "tests/reliability/test_faults.py",
    "tests/reliability/test_bad_input.py",
    "tests/reliability/test_bypass.py",
    "tests/reliability/test_bypass_secrets.py",
    "tests/reliability/test_bypass_oidc.py",
    "tests/reliability/test_bypass_operators.py",
    "tests/reliability/test_bypass_rules.py",
    "tests/reliability/test_bypass_login.py",
    "tests/reliability/test_bypass_mine.py",
    "tests/reliability/test_bypass_cli.py",
    "tests/reliability/test_bypass_wsrec.py",
    "tests/reliability/test_bypass_wsrec2.py",
    "tests/reliability/test_bypass_wsadd.py",
    "tests/reliability/test_bypass_rec5.py",
    "tests/reliability/test_bypass_po.py",
    "tests/reliability/test_bypass_actions.py",
    "tests/reliability/test_bypass_wscycle.py",
    "tests/reliability/test_bypass_wsusers.py",
    "tests/reliability/test_privacy.py",
    "tests/reliability/test_audit_completeness.py",
    "tests/reliability/test_hostile.py",
    "tests/reliability/test_tamper.py",
    "tests/reliability/test_poison.py",
    "tests/reliability/test_waits.py",
)
REPORT = ROOT / "docs" / "reliability.md"
AUDITED = {
    True: "yes",
    False: "NO",
    None: "n/a (refused before anything ran, or outside poflow: a database constraint, or "
    "Prefect's own event log)",
}


def load_results(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The result lines, grouped by kind."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                grouped.setdefault(item.pop("kind"), []).append(item)
    return grouped


def _totals(results: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    scenarios = results.get("scenario", [])
    bad = results.get("bad_input", [])
    bypass = results.get("bypass", [])
    return {
        "scenarios": len(scenarios),
        "duplicates": sum(s["duplicates"] for s in scenarios),
        "lost": sum(s["lost"] for s in scenarios),
        "bad_rejected": sum(1 for b in bad if b["rejected"] and b["named"] and b["unchanged"]),
        "bad_tried": len(bad),
        "bypass_refused": sum(1 for b in bypass if b["refused"]),
        "bypass_tried": len(bypass),
        "pii_hits": sum(p["hits"] for p in results.get("privacy", [])),
    }


def summary_line(results: dict[str, list[dict[str, Any]]]) -> str:
    """The one line printed at the end."""
    t = _totals(results)
    return (
        f"scenarios={t['scenarios']} duplicates={t['duplicates']} lost={t['lost']} "
        f"bad_inputs={t['bad_rejected']}/{t['bad_tried']} "
        f"bypasses_refused={t['bypass_refused']}/{t['bypass_tried']} pii_hits={t['pii_hits']}"
        + _hostile_field(results)
        + _tamper_summary(results)
        + _poison_summary(results)
        + waits_summary(results)
    )


def _hostile_field(results: dict[str, list[dict[str, Any]]]) -> str:
    """The summary line's count of hostile requests refused (issue 23)."""
    hostile = results.get("hostile", [])
    return f" hostile_refused={sum(1 for h in hostile if h['refused'])}/{len(hostile)}"


def _figure(value: Any) -> str:
    return "-" if value is None else str(value)


def _hostile_section(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Hostile requests to the link pages and settings: refused, and at what cost."""
    hostile = results.get("hostile", [])
    refused = sum(1 for h in hostile if h["refused"])
    return [
        "## Hostile requests (link pages, body limit, refusal flood, settings)",
        "",
        f"{refused} of {len(hostile)} hostile requests were refused. The budget of one refused "
        "request, however hostile its token, is 50 ms and 5 MB of extra memory (eight at once: "
        "eight budgets together); a body is read no further than 64 KiB; a flood of refusals "
        "adds one audit row per source, reason, method, link and minute, the rest only counted. "
        "Time is the median of five requests on a new connection to a real uvicorn server; "
        "memory is tracemalloc's peak over one more (in this process, server thread included). "
        "The issue measured 64 MB for one 84 KB token before, and 1.3 GB and 10 s for eight.",
        "",
        *_table(
            ["scenario", "db", "refused", "ms", "extra MB", "audit rows added"],
            [
                [
                    h["scenario"],
                    h["db"],
                    h["refused"],
                    _figure(h.get("ms")),
                    _figure(h.get("extra_mb")),
                    _figure(h.get("audit_rows")),
                ]
                for h in hostile
            ],
        ),
        "",
    ]


def _tamper_summary(results: dict[str, list[dict[str, Any]]]) -> str:
    """The summary line's tamper field: scenarios found by verify with the row named."""
    tamper = results.get("tamper", [])
    caught = sum(1 for t in tamper if t["detected"] and t["named"])
    return f" tamper_detected={caught}/{len(tamper)}"


def _tamper_section(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The tamper-evident audit (X-4): each tamper scenario, the sealing cost, the year."""
    tamper = results.get("tamper", [])
    caught = sum(1 for t in tamper if t["detected"] and t["named"])
    lines = [
        "## Tamper-evident audit (X-4)",
        "",
        "Whoever owns the database gets past the append-only triggers (drops them on SQLite, "
        "`ALTER TABLE audit DISABLE TRIGGER ALL` as the application's own role on PostgreSQL) "
        "or needs none (INSERT, the approval and role tables). After each change "
        "`poflow audit verify` ran; *named* means its first line names the changed row. "
        f"{caught} of {len(tamper)} found and named.",
        "",
        *_table(
            ["scenario", "db", "detected", "named", "verify says (first line)"],
            [[t["scenario"], t["db"], t["detected"], t["named"], t["says"]] for t in tamper],
        ),
        "",
    ]
    for s in results.get("audit_seal", []):
        lines += [
            f"Sealing cost ({s['db']}): {s['rows']} audit rows of {s['chains']} municipalities, "
            f"written in batches of 500 in {s['write_s']} s, sealed in {s['seal_s']} s, the "
            f"whole log verified in {s['verify_s']} s.",
            "",
        ]
    for y in results.get("audit_chain", []):
        lines += [
            f"The simulated year: {y['rows']} audit rows in {y['chains']} chain(s), "
            f"{y['unsealed_at_year_end']} not yet sealed at its end (sealed by verify); "
            f"{y['approvals']} approvals and the roles of {y['people']} people checked; "
            f"verify found {y['problems']} problem(s).",
            "",
        ]
    return lines


def _poison_summary(results: dict[str, list[dict[str, Any]]]) -> str:
    """The poison-mail field of the summary line: isolated / tried."""
    poison = results.get("poison", [])
    return f" poison_isolated={sum(1 for p in poison if p['isolated'])}/{len(poison)}"


def _poison_section(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The poison-mail scenarios (X-1, X-2): each way a message that cannot be composed or
    delivered came in, refused at the entry or isolated in the outbox."""
    poison = results.get("poison", [])
    isolated = sum(1 for p in poison if p["isolated"])
    return [
        "## Poison mail (X-1, X-2: every message fails alone)",
        "",
        f"{isolated} of {len(poison)} poison scenarios isolated. A way in is either refused at "
        "the entry, naming the field, with nothing written; or the message reaches the outbox "
        "(a row from before the checks, or allowed by POFLOW_SMTPUTF8) at the lowest queued "
        "id, and then every other message is delivered in the same pass, the poison is parked "
        "after its attempts (at once for a 5xx) and P&O's notice is delivered, or a relay "
        "that can take it delivers it. Others = the outbox's other messages of the scenario "
        "(P&O's notices left out).",
        "",
        *_table(
            [
                "scenario",
                "db",
                "way in",
                "relay",
                "others delivered",
                "parked",
                "P&O told",
                "isolated",
                "notes",
            ],
            [
                [
                    p["scenario"],
                    p["db"],
                    p["way"],
                    p["relay"],
                    f"{p['delivered_others']}/{p['others']}",
                    p["parked"],
                    "yes" if p["po_told"] else ("n/a" if not p["parked"] else "NO"),
                    "yes" if p["isolated"] else "NO",
                    p.get("note", ""),
                ]
                for p in poison
            ],
        ),
        "",
    ]


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return out


def build_markdown(
    results: dict[str, list[dict[str, Any]]], *, outcome: str, seconds: float
) -> str:
    """docs/reliability.md from the results of one run."""
    t = _totals(results)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Reliability report (X-1 .. X-4)",
        "",
        f"Generated by `.venv/bin/python -m tools.reliability` on {when} "
        f"({seconds:.0f} s; pytest: {outcome}). Every figure below comes from that run of "
        f"`{' '.join(TEST_MODULES)}`, against real SQLite and PostgreSQL databases, real SMTP "
        "servers on loopback, a real Prefect API and `poflow tick` processes.",
        "",
        "## Fault scenarios (X-1 no duplicate mail, X-2 nothing lost)",
        "",
        "Expected = the outbox's unique messages (failure notices of failed runs excluded: "
        "one per run by design); received = messages the SMTP server accepted that belong to "
        "them, counted by their deterministic Message-ID.",
        "",
        *_table(
            ["scenario", "db", "expected", "received", "duplicates", "lost", "notes"],
            [
                [
                    s["scenario"],
                    s["db"],
                    s["expected"],
                    s["received"],
                    s["duplicates"],
                    s["lost"],
                    s.get("note", ""),
                ]
                for s in results.get("scenario", [])
            ],
        ),
        "",
        "### The one window that cannot be closed",
        "",
        "A message is sent inside the transaction that holds its outbox row locked and is marked "
        "sent in that same transaction. If the sending process dies, or loses its database, "
        "after the SMTP server said 250 but before the commit, the row is still queued and the "
        "next run sends it again. Scenario (d) provokes exactly this: the server accepts message "
        "10 and the process is killed with SIGKILL before it can commit; scenario (f) restarts "
        "PostgreSQL while message 8 is in DATA. Measured: at most 1 duplicate per sending "
        "process (the one message in flight), never more, and 0 lost. The duplicate carries "
        "the same Message-ID as the original, so mail clients that de-duplicate on it show "
        "it once. Killed at any other moment (scenario d, between), nothing is sent twice.",
        "",
        "## Malformed inputs",
        "",
        f"{t['bad_rejected']} of {t['bad_tried']} malformed inputs were rejected with an error "
        "naming the problem, with the database unchanged (a refused link adds only its own "
        "audit row, or only counts in the refusal tally).",
        "",
        *_table(
            ["area", "input", "rejected", "error names it", "nothing written", "error"],
            [
                [
                    b["area"],
                    b["case"],
                    b["rejected"],
                    b["named"],
                    b["unchanged"],
                    b.get("says", b.get("error", "")),
                ]
                for b in results.get("bad_input", [])
            ],
        ),
        "",
        "## Bypass attempts on approvals and links (REC-9)",
        "",
        f"{t['bypass_refused']} of {t['bypass_tried']} attempts refused.",
        "",
        *_table(
            ["attempt", "refused", "audited", "answer"],
            [
                [b["variant"], b["refused"], AUDITED[b.get("audited")], b.get("error", "")]
                for b in results.get("bypass", [])
            ],
        ),
        "",
        *_hostile_section(results),
        "## Privacy scan (X-3)",
        "",
    ]
    for p in results.get("privacy", []):
        lines += [
            f"After a simulated year ({p['mails']} mails), {p['prefect_rows']} rows of "
            f"Prefect's database (flow and task runs, parameters, state messages, logs, "
            f"artifacts, events) and {p['log_lines']} poflow log lines were searched for "
            f"{p['strings']} personal strings (names, full names, addresses, notes): "
            f"**{p['hits']} found**." + (f" Where: {', '.join(p['where'])}." if p["where"] else ""),
            "",
            f"Covered: {p['coverage']}.",
            "",
        ]
    for r in results.get("retention", []):
        lines += [f"Retention purge: {r['note']}", ""]
    lines += ["## Audit completeness (X-4)", ""]
    for a in results.get("audit", []):
        lines += [
            f"{a['transactions']} transactions of the simulated year changed "
            f"{a['state_changes']} states; {a['unaudited']} of them without an audit row "
            "in the same transaction." + (f" ({a['where']})" if a["where"] else ""),
            "",
        ]
    for a in results.get("audit_tamper", []):
        lines += [
            f"{a['refused']} of {a['tried']} ways to change or delete the year's "
            f"{a['rows']} audit rows through the application were refused (ORM edit, "
            "merge, delete, bulk update, bulk delete, raw SQL).",
            "",
        ]
    lines += _tamper_section(results)
    lines += _poison_section(results)
    lines += waits_section(results)
    window = sum(min(s["duplicates"], s.get("in_flight", 0)) for s in results.get("scenario", []))
    lines += [
        "## Summary",
        "",
        f"Of the {t['duplicates']} duplicate(s), {window} fall in the "
        "provoked in-flight window (at most one per killed or cut-off sender, see above) "
        f"and {t['duplicates'] - window} outside it.",
        "",
        "```",
        summary_line(results),
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    """Run the tests, write the report, print the summary line; exit with pytest's code."""
    with tempfile.TemporaryDirectory(prefix="poflow-reliability-") as tmp:
        results_file = Path(tmp) / "results.jsonl"
        env = {
            **os.environ,
            "POFLOW_RELIABILITY_RESULTS": str(results_file),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        started = time.monotonic()
        code = subprocess.call(  # noqa: S603  (our own test suite)
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TEST_MODULES],
            cwd=ROOT,
            env=env,
        )
        seconds = time.monotonic() - started
        results = load_results(results_file)
    outcome = "all passed" if code == 0 else f"FAILED (exit {code})"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(build_markdown(results, outcome=outcome, seconds=seconds), encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    print(summary_line(results))
    return code
