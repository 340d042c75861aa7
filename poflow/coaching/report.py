"""The yearly report built from name-free records: counts and the seed's two tables (LBC-1..3).

Pure: no database, no Prefect. Its input type `CoachingRecord` has no field that could hold a
name or a note, so nothing personal can reach a report (LBC-3).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from poflow.coaching.config import ChoiceKind, CoachingSection
from poflow.coaching.rules import Progress, Target, progress, report_period, target_for
from poflow.coaching.states import GoalState, TrajectoryState

__all__ = [
    "DOMAIN_TITLE",
    "GOALS_HEADER",
    "GOALS_TITLE",
    "CoachingRecord",
    "CoachingReport",
    "GoalRow",
    "build_report",
    "domain_table",
    "goal_table",
]

DOMAIN_TITLE = "Aanmeldingen"
GOALS_TITLE = "Gestelde en behaalde doelen"
# The seed's own header, capitals included ("Doel 2 Behaald").
GOALS_HEADER = ("Gestelde doelen", "Doel 1", "Doel 1 behaald", "Doel 2", "Doel 2 Behaald")


@dataclass(frozen=True, slots=True)
class CoachingRecord:
    """What a report may know of one registration: categories, dates and states, no person."""

    registered_on: date
    domain: str
    reason: str
    source: str
    state: TrajectoryState
    goal1: GoalState | None = None
    goal2: GoalState | None = None
    end_reason: str | None = None


@dataclass(frozen=True, slots=True)
class GoalRow:
    """Goals set and achieved for one reason category (one row of the seed's second table)."""

    number: int
    label: str
    goal1_set: int
    goal1_achieved: int
    goal2_set: int
    goal2_achieved: int


@dataclass(frozen=True, slots=True)
class CoachingReport:
    """The yearly report of one municipality: counts only."""

    municipality: str  # display name, e.g. "Gemeente Hardenberg"
    year: int
    period_start: date
    period_end: date
    as_of: date
    per_domain: tuple[tuple[str, int], ...]
    per_reason: tuple[tuple[str, int], ...]
    per_source: tuple[tuple[str, int], ...]
    goals: tuple[GoalRow, ...]
    per_state: tuple[tuple[str, int], ...]
    per_end_reason: tuple[tuple[str, int], ...]
    progress: Progress | None  # towards this year's target, registrations in the calendar year
    next_target: Target | None

    @property
    def total(self) -> int:
        """Registrations in the report period."""
        return sum(n for _, n in self.per_domain)

    @property
    def complete(self) -> bool:
        """True when the report year is over on `as_of` (else it is a progress report)."""
        return self.as_of >= self.period_end


def _count(
    keys: Iterable[str], section: CoachingSection, kind: ChoiceKind
) -> tuple[tuple[str, int], ...]:
    counts = Counter(keys)
    rows = [(c.label, counts.pop(c.key, 0)) for c in section.choices(kind)]
    rows += sorted(counts.items())  # keys no longer configured still count, under their key
    return tuple(rows)


def build_report(
    records: Iterable[CoachingRecord],
    *,
    section: CoachingSection,
    municipality: str,
    year: int,
    as_of: date,
) -> CoachingReport:
    """Count the records of `year`'s report period; the targets from all calendar years given."""
    records = list(records)
    start, end = report_period(
        year, service_start=section.service_start, first_report_year=section.first_report_year
    )
    last = min(end, as_of)
    inside = [r for r in records if start <= r.registered_on <= last]
    by_year = Counter(r.registered_on.year for r in records if r.registered_on <= as_of)
    goals = []
    for number, choice in enumerate(section.reasons, start=1):
        mine = [r for r in inside if r.reason == choice.key]
        goals.append(
            GoalRow(
                number,
                choice.label,
                goal1_set=sum(r.goal1 is not None for r in mine),
                goal1_achieved=sum(r.goal1 is GoalState.ACHIEVED for r in mine),
                goal2_set=sum(r.goal2 is not None for r in mine),
                goal2_achieved=sum(r.goal2 is GoalState.ACHIEVED for r in mine),
            )
        )

    def target(of: int) -> Target | None:
        return target_for(
            of,
            counts=dict(by_year),
            growth_percent=section.target_growth_percent,
            fixed=dict(section.targets),
            first_report_year=section.first_report_year,
        )

    this_target = target(year)
    states = Counter(r.state for r in inside)
    return CoachingReport(
        municipality=municipality,
        year=year,
        period_start=start,
        period_end=end,
        as_of=as_of,
        per_domain=_count((r.domain for r in inside), section, "domains"),
        per_reason=_count((r.reason for r in inside), section, "reasons"),
        per_source=_count((r.source for r in inside), section, "sources"),
        goals=tuple(goals),
        per_state=(
            ("in traject", states[TrajectoryState.ACTIVE]),
            ("afgerond", states[TrajectoryState.COMPLETED]),
            ("tussentijds gestopt", states[TrajectoryState.ENDED_EARLY]),
        ),
        per_end_reason=_count(
            (r.end_reason or "onbekend" for r in inside if r.state is TrajectoryState.ENDED_EARLY),
            section,
            "early_end_reasons",
        ),
        progress=(
            progress(this_target, count=by_year.get(year, 0), as_of=as_of) if this_target else None
        ),
        next_target=_next_target(target(year + 1), end=end, as_of=as_of),
    )


def _next_target(target: Target | None, *, end: date, as_of: date) -> Target | None:
    """Next year's target; a computed one only once this year is over (a full basis year)."""
    if target is not None and not target.fixed and as_of < end:
        return None
    return target


def domain_table(report: CoachingReport) -> list[list[str]]:
    """The seed's first table: header, one row per domain, the total."""
    rows = [["Domein", "Aantal"]]
    rows += [[label, str(n)] for label, n in report.per_domain]
    rows.append(["Totaal", str(report.total)])
    return rows


def _pair(set_: int, achieved: int) -> list[str]:
    return [str(set_), str(achieved)] if set_ else ["", ""]


def goal_table(report: CoachingReport) -> list[list[str]]:
    """The seed's second table: header, then per category goal 1 and 2 set and achieved.

    A goal nobody in the category set stays blank, as in the seed.
    """
    rows = [list(GOALS_HEADER)]
    for g in report.goals:
        rows.append(
            [
                f"{g.number} – {g.label}",
                *_pair(g.goal1_set, g.goal1_achieved),
                *_pair(g.goal2_set, g.goal2_achieved),
            ]
        )
    return rows
