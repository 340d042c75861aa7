"""Support for the coaching tests: seed 004's 2019-2020 figures as records and as a coach's CSV,
the seed's two tables, and Hardenberg's coaching.yaml."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from poflow.coaching.config import CoachingSection
from poflow.coaching.report import CoachingRecord
from poflow.coaching.states import GOAL_LABELS, STATE_LABELS, GoalState, TrajectoryState
from poflow.config import _load_section

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "004_46f03a690f961647.txt"
HARDENBERG = ROOT / "config" / "hardenberg" / "coaching.yaml"
COACH, MANAGER = "HB-0008", "HB-0004"  # fictional staff of shared/examples/staff.csv
DOMAINS = (
    ["bedrijfsvoering"] * 32
    + ["maatschappelijk"] * 14
    + ["openbaar_gebied"] * 6
    + ["ruimtelijk"] * 6
    + ["samen_doen"] * 5
)
# (reason, count, goal 1 achieved, goal 2 set, goal 2 achieved) as in seed 004, section 4.2.
GOALS = [
    ("wat_wil_ik", 45, 41, 27, 4),
    ("ontwikkeladvies", 5, 5, 0, 0),
    ("andere_baan", 13, 4, 12, 8),
]
EARLY_REASONS = ["corona", "persoonlijk", "ziekte", "corona", "persoonlijk"]
SOURCES = ["mond_op_mond", "leidinggevende", "mond_op_mond", "intranet"]


def seed_rows() -> list[dict[str, Any]]:
    """63 fictional registrations, October 2019 to December 2020, with seed 004's counts.

    13 fall in 2019 and 50 in 2020 (so +20 % gives the seed's 60 for 2021); 17 are still in
    traject and 5 stopped early, as the seed reports.
    """
    rows: list[dict[str, Any]] = []
    for reason, count, g1_done, g2_set, g2_done in GOALS:
        for i in range(count):
            rows.append(
                {
                    "reason": reason,
                    "goal1": GoalState.ACHIEVED if i < g1_done else None,
                    "goal2": (GoalState.ACHIEVED if i < g2_done else None) if i < g2_set else False,
                }
            )
    order = sorted(range(63), key=lambda i: (i * 10) % 63)  # spread reasons over the dates
    rank_of = {i: rank for rank, i in enumerate(order)}
    early = [i for i in range(63) if rows[i]["goal1"] is None and rank_of[i] < 46][:5]
    for rank, i in enumerate(order):
        row = rows[i]
        row["registered_on"] = (
            date(2019, 10, 1) + timedelta(days=6 * rank)
            if rank < 13
            else date(2020, 1, 2) + timedelta(days=7 * (rank - 13))
        )
        row["domain"] = DOMAINS[(i * 22) % 63]
        row["source"] = (
            "academie"
            if row["registered_on"] >= date(2020, 9, 1) and rank % 2
            else SOURCES[rank % len(SOURCES)]
        )
        row["state"] = (
            TrajectoryState.ENDED_EARLY
            if i in early
            else TrajectoryState.ACTIVE
            if rank >= 46
            else TrajectoryState.COMPLETED
        )
        row["end_reason"] = EARLY_REASONS[early.index(i)] if i in early else None
        unfinished = (
            GoalState.OPEN if row["state"] is TrajectoryState.ACTIVE else GoalState.NOT_ACHIEVED
        )
        row["goal1"] = row["goal1"] or unfinished
        row["goal2"] = None if row["goal2"] is False else (row["goal2"] or unfinished)
        row["ref"] = f"{row['registered_on'].year}-{rank + 1:03d}"
        row["employee_name"] = f"Fictief Persoon{rank + 1:02d} Voorbeeldsma"
    return sorted(rows, key=lambda r: r["registered_on"])


def seed_records() -> list[CoachingRecord]:
    """The seed rows as the name-free records a report counts."""
    return [
        CoachingRecord(
            r["registered_on"],
            r["domain"],
            r["reason"],
            r["source"],
            r["state"],
            r["goal1"],
            r["goal2"],
            r["end_reason"],
        )
        for r in seed_rows()
    ]


def write_seed_csv(path: Path) -> Path:
    """The seed rows as the coach's import file (Dutch words for states, as a coach writes)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "municipality",
                "ref",
                "coach_id",
                "employee_name",
                "employee_id",
                "registered_on",
                "domain",
                "reason",
                "source",
                "goal1",
                "goal2",
                "state",
                "ended_on",
                "end_reason",
                "manager_id",
                "manager_consent",
            ]
        )
        for r in seed_rows():
            ended = (
                ""
                if r["state"] is TrajectoryState.ACTIVE
                else min(r["registered_on"] + timedelta(days=60), date(2020, 12, 31)).isoformat()
            )
            out.writerow(
                [
                    "hardenberg",
                    r["ref"],
                    COACH,
                    r["employee_name"],
                    "",
                    r["registered_on"].isoformat(),
                    r["domain"],
                    r["reason"],
                    r["source"],
                    GOAL_LABELS[r["goal1"]],
                    GOAL_LABELS[r["goal2"]] if r["goal2"] else "",
                    STATE_LABELS[r["state"]],
                    ended,
                    r["end_reason"] or "",
                    MANAGER if r["domain"] == "ruimtelijk" else "",
                    "nee",
                ]
            )
    return path


def seed_tables() -> list[str]:
    """The lines of seed 004's two tables in section 4.2, as the seed file has them."""
    text = SEED.read_text(encoding="utf-8").replace("<b>", "").replace("</b>", "")
    lines = [line.rstrip() for line in text.splitlines()]
    first = lines.index("Aanmeldingen")
    second = lines.index("Gestelde en behaalde doelen")
    return [*lines[first : first + 8], "", *lines[second : second + 5]]


def section() -> CoachingSection:
    """Hardenberg's coaching.yaml."""
    return _load_section(HARDENBERG, CoachingSection)  # type: ignore[return-value]
