"""Onboarding progress at a glance for P&O (ONB-4): the read model of the status and the report.

One row per running hire: id, first working day, phase, done/open/overdue per phase, whether a
buddy is assigned, the next check-in, plus any column another process registered with
`status_columns` in its process declaration (e.g. the introduction programme). Rows hold ids,
dates and counts only, so the same rows feed the Prefect artifacts (X-3) and `poflow status`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, lazyload

from poflow.config import MunicipalityConfig
from poflow.db.base import chunked
from poflow.db.models import Hire, Step
from poflow.engine import StatusColumn
from poflow.kernel.vocabulary import CaseType
from poflow.onboarding.rules import AFGEROND, Phase, phase_on
from poflow.states import HireState, StepState

__all__ = [
    "Overview",
    "PhaseCount",
    "markdown_overview",
    "municipality_counts",
    "overview",
    "phase_counts",
    "phase_counts_for",
    "progress_percent",
    "running_hires",
    "status_rows",
]

SHORT = {
    Phase.VOOR: "vóór dag 1",
    Phase.EERSTE_WERKDAG: "dag 1",
    Phase.DRIE_MAANDEN: "0-3 mnd",
    Phase.ZES_MAANDEN: "3-6 mnd",
}
LEGEND = "k/o/t = klaar / open / te laat"
_BAR = 20


@dataclass
class PhaseCount:
    """Checklist items of one phase: done, open (not yet due) and overdue."""

    done: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        """All items of the phase."""
        return self.done + self.open + self.overdue

    def cell(self) -> str:
        """The table cell, e.g. "5/2/1" (k/o/t)."""
        return f"{self.done}/{self.open}/{self.overdue}" if self.total else "–"


def phase_counts(session: Session, hire_id: str, day: date) -> dict[Phase, PhaseCount]:
    """Done/open/overdue checklist items of one hire per phase on `day` (cancelled left out)."""
    return phase_counts_for(session, [hire_id], day)[hire_id]


def phase_counts_for(
    session: Session, hire_ids: list[str], day: date
) -> dict[str, dict[Phase, PhaseCount]]:
    """phase_counts of many hires: one grouped query per 500 hires (counted by the database)."""
    counts = {hid: {phase: PhaseCount() for phase in Phase} for hid in hire_ids}
    phase = Step.data["phase"].as_string()
    late = case((Step.due_date < day, 1), else_=0)
    for ids in chunked(hire_ids):
        rows = session.execute(
            select(Step.case_id, phase, Step.state, late, func.count())
            .where(
                Step.case_type == CaseType.HIRE,
                Step.case_id.in_(ids),
                Step.process == "onb",
                Step.state != StepState.CANCELLED,
            )
            .group_by(Step.case_id, phase, Step.state, late)
        ).all()
        for hid, name, state, overdue, n in rows:
            count = counts[hid][Phase(name or Phase.VOOR.value)]
            if state == StepState.DONE:
                count.done += n
            elif overdue:
                count.overdue += n
            else:
                count.open += n
    return counts


def progress_percent(counts: dict[Phase, PhaseCount]) -> float:
    """Share of done items, 0-100."""
    total = sum(c.total for c in counts.values())
    return round(100.0 * sum(c.done for c in counts.values()) / total, 1) if total else 100.0


def running_hires(session: Session, config: MunicipalityConfig, day: date) -> list[Hire]:
    """Planned hires still in their first six months on `day`, or with items left open."""
    hires = session.scalars(
        select(Hire)
        .where(
            Hire.municipality == config.slug,
            Hire.state == HireState.PLANNED,
        )
        .order_by(Hire.first_working_day, Hire.id)
        .options(lazyload(Hire.manager), lazyload(Hire.buddy))
    ).all()  # ids are enough here
    ids = [h.id for h in hires]
    open_left: set[str] = set()
    for chunk in chunked(ids):  # by case (indexed), not by municipality (a scan)
        open_left.update(
            session.scalars(
                select(Step.case_id)
                .where(
                    Step.case_type == CaseType.HIRE,
                    Step.case_id.in_(chunk),
                    Step.process == "onb",
                    Step.state == StepState.OPEN,
                )
                .distinct()
            )
        )
    return [
        h
        for h in hires
        if phase_on(config.calendar, h.first_working_day, day) != AFGEROND or h.id in open_left
    ]


@dataclass
class Overview:
    """One municipality on one day: the table rows, the sums per phase, progress per hire."""

    rows: list[dict[str, str]]
    totals: dict[Phase, PhaseCount]
    progress: dict[str, float]


def overview(
    session: Session,
    config: MunicipalityConfig,
    day: date,
    *,
    columns: Sequence[StatusColumn] = (),
    configs: Mapping[str, MunicipalityConfig] | None = None,
) -> Overview:
    """Rows, totals and progress from one read of the running hires and their items (ONB-4),
    with the columns other processes declare (`configs`: every municipality's, for them)."""
    hires = running_hires(session, config, day)
    ids = [h.id for h in hires]
    counts = phase_counts_for(session, ids, day)
    known = configs if configs is not None else {config.slug: config}
    extra = {column.title: column.cells(session, hires, day, known) for column in columns}
    rows, totals = [], {phase: PhaseCount() for phase in Phase}
    for hire in hires:
        phase = phase_on(config.calendar, hire.first_working_day, day)
        row = {
            "hire": hire.id,
            "start": hire.first_working_day.isoformat(),
            "fase": SHORT[Phase(phase)] if phase in Phase._value2member_map_ else phase,
        }
        row.update({f"{SHORT[p]} k/o/t": counts[hire.id][p].cell() for p in Phase})
        row["buddy"] = "ja" if hire.buddy_id else "nee"
        row.update({title: cells[hire.id] for title, cells in extra.items()})
        rows.append(row)
        for p, count in counts[hire.id].items():
            totals[p].done += count.done
            totals[p].open += count.open
            totals[p].overdue += count.overdue
    return Overview(rows, totals, {hid: progress_percent(c) for hid, c in counts.items()})


def status_rows(
    session: Session,
    config: MunicipalityConfig,
    day: date,
    *,
    columns: Sequence[StatusColumn] = (),
    configs: Mapping[str, MunicipalityConfig] | None = None,
) -> list[dict[str, str]]:
    """The status table of one municipality on `day`: ids, dates and counts only (X-3)."""
    return overview(session, config, day, columns=columns, configs=configs).rows


def municipality_counts(
    session: Session, config: MunicipalityConfig, day: date
) -> dict[Phase, PhaseCount]:
    """Done/open/overdue per phase summed over the municipality's running hires."""
    return overview(session, config, day).totals


def markdown_overview(name: str, day: date, totals: dict[Phase, PhaseCount], hires: int) -> str:
    """A per-phase completion bar for the municipality, as Markdown (counts only)."""
    lines = [
        f"# Onboarding {name}, {day.isoformat()}",
        "",
        f"{hires} nieuwe collega('s) in onboarding.",
        "",
        "| Fase | Voortgang | Klaar | Open | Te laat |",
        "|---|---|---:|---:|---:|",
    ]
    for phase, count in totals.items():
        share = count.done / count.total if count.total else 0.0
        filled = round(share * _BAR)
        bar = "█" * filled + "░" * (_BAR - filled)
        warn = " ⚠️" if count.overdue else ""
        lines.append(
            f"| {phase.label} | `{bar}` {round(share * 100)} % | {count.done} | "
            f"{count.open} | {count.overdue}{warn} |"
        )
    return "\n".join(lines) + "\n"
