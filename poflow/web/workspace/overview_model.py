"""The read model of P&O's overview of new colleagues (issue 21, item 1): one page of running
hires with their progress, and what waits on whom, in a few set-based queries.

The running hires are those of `poflow.onboarding.status.running_hires` (planned, within their
six months or with checklist items left open), read as light rows; the phase is computed from
the first working day (ONB-4), once per distinct day. Filters and the page cut are applied to
those rows (the "late only" filter reads the late hires from ix_step_late_cases); the counts per
phase (`phase_counts_for`), the next moment and who is late are then read for the page's hires
only, by case. "Wat wacht op wie" counts the open steps due within a week (or late) per owner in
one index-only pass, plus the four-eyes questions still waiting; names are read once for both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.config import MunicipalityConfig
from poflow.db.base import chunked, one_of
from poflow.db.models import Hire, Step
from poflow.kernel.vocabulary import CaseType
from poflow.onboarding.rules import AFGEROND, Phase, phase_on
from poflow.onboarding.status import PhaseCount, phase_counts_for
from poflow.states import HireState, StepState
from poflow.web.workspace.waits_model import Wait, names_of, owner_label, wait_groups, waits

__all__ = [
    "PAGE_SIZE",
    "Filters",
    "HireRow",
    "OverviewPage",
    "read_overview",
]

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the overview is narrowed to: a team, a phase, only hires with late items; a page."""

    team: str = ""
    phase: str = ""
    overdue_only: bool = False
    page: int = 1


@dataclass
class HireRow:
    """One running hire on the overview."""

    id: str
    name: str
    team: str
    first_working_day: date
    phase: str
    counts: dict[Phase, PhaseCount] = field(default_factory=dict)
    next_day: date | None = None
    next_title: str = ""
    overdue: int = 0
    late: list[str] = field(default_factory=list)  # who is late: names (or roles)


@dataclass
class OverviewPage:
    """One page of the overview, the numbers around it, and what waits on whom."""

    rows: list[HireRow]
    total: int  # running hires matching the filters
    running: int  # running hires in all
    page: int
    pages: int
    teams: list[str]
    waits: list[Wait]


def _running(
    session: Session, config: MunicipalityConfig, day: date
) -> list[tuple[str, str, str, date, str]]:
    """(id, name, team, first working day, phase) of every running hire, by first working day.
    The phase depends on the first working day only: it is computed once per distinct day."""
    found = session.execute(
        select(Hire.id, Hire.given_name, Hire.family_name, Hire.team, Hire.first_working_day)
        .where(Hire.municipality == config.slug, Hire.state == HireState.PLANNED)
        .order_by(Hire.first_working_day, Hire.id)
    ).all()
    phases = {first: phase_on(config.calendar, first, day) for first in {r[4] for r in found}}
    rows = [
        (hid, f"{given} {family}", team, first, phases[first])
        for hid, given, family, team, first in found
    ]
    finished = [r[0] for r in rows if r[4] == AFGEROND]
    open_left: set[str] = set()
    for ids in chunked(finished):
        open_left.update(
            session.scalars(
                select(Step.case_id)
                .where(
                    Step.case_type == CaseType.HIRE,
                    one_of(session, Step.case_id, ids),
                    Step.process == "onb",
                    Step.state == StepState.OPEN,
                )
                .distinct()
            )
        )
    return [r for r in rows if r[4] != AFGEROND or r[0] in open_left]


def _late_hires(session: Session, municipality: str, day: date) -> set[str]:
    """The hires with an open step past its date (on the index ix_step_late_cases)."""
    return set(
        session.scalars(
            select(Step.case_id)
            .where(
                Step.municipality == municipality,
                Step.state == StepState.OPEN,
                Step.due_date < day,
                Step.case_type == CaseType.HIRE,
            )
            .distinct()
        )
    )


def _open_steps(
    session: Session, ids: list[str]
) -> list[tuple[str, str | None, str | None, date, int, str]]:
    """(hire id, owner id, owner role, due date, id, title) of the open steps of the hires `ids`,
    in one query. The state is checked here, not in SQL, so the database looks the steps up by
    case (an index) whatever it thinks of the state indexes."""
    found = session.execute(
        select(
            Step.case_id,
            Step.owner_id,
            Step.owner_role,
            Step.due_date,
            Step.id,
            Step.title,
            Step.state,
        ).where(Step.case_type == CaseType.HIRE, one_of(session, Step.case_id, ids))
    ).all()
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in found if r[6] == StepState.OPEN]


def _late_and_next(
    session: Session, ids: list[str], day: date
) -> tuple[dict[str, list[tuple[str | None, str | None, int]]], dict[str, tuple[date, str]]]:
    """For the hires `ids`: hire id -> (owner id, owner role, count) of its open steps past
    their date; and hire id -> (date, title) of its first open step from `day` on."""
    counted: dict[str, dict[tuple[str | None, str | None], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    first: dict[str, tuple[date, int, str]] = {}
    for hid, owner_id, owner_role, due, sid, title in _open_steps(session, ids) if ids else []:
        if due < day:
            counted[hid][(owner_id, owner_role)] += 1
        elif hid not in first or (due, sid) < first[hid][:2]:
            first[hid] = (due, sid, title)
    late = {
        hid: [(owner_id, role, n) for (owner_id, role), n in owners.items()]
        for hid, owners in counted.items()
    }
    return late, {hid: (due, title) for hid, (due, _, title) in first.items()}


def read_overview(
    session: Session, config: MunicipalityConfig, day: date, filters: Filters
) -> OverviewPage:
    """The overview of `config`'s municipality on `day`, narrowed by `filters`."""
    running = _running(session, config, day)
    late_ones = _late_hires(session, config.slug, day) if filters.overdue_only else set()
    chosen = [
        r
        for r in running
        if (not filters.team or r[2] == filters.team)
        and (not filters.phase or r[4] == filters.phase)
        and (not filters.overdue_only or r[0] in late_ones)
    ]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    cut = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = [r[0] for r in cut]
    counts = phase_counts_for(session, ids, day)
    late, moments = _late_and_next(session, ids, day)
    groups = wait_groups(session, config.slug, day)
    owner_ids = {o for hid in ids for o, _, _ in late.get(hid, []) if o}
    owner_ids |= {owner_id for owner_id, _ in groups if owner_id}
    names = names_of(session, owner_ids, {r[0]: r[1] for r in running})
    rows = []
    for hid, name, team, first, phase in cut:
        owners = late.get(hid, [])
        next_day, next_title = moments.get(hid, (None, ""))
        rows.append(
            HireRow(
                id=hid,
                name=name,
                team=team,
                first_working_day=first,
                phase=phase,
                counts=counts[hid],
                next_day=next_day,
                next_title=next_title,
                overdue=sum(n for _, _, n in owners),
                late=sorted({owner_label(o, role, names) for o, role, _ in owners}),
            )
        )
    return OverviewPage(
        rows=rows,
        total=len(chosen),
        running=len(running),
        page=page,
        pages=pages,
        teams=sorted({r[2] for r in running}),
        waits=waits(groups, names),
    )
