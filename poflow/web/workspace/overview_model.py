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
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from poflow.approvals.models import Approval, ApprovalRequest
from poflow.config import MunicipalityConfig
from poflow.db.base import chunked, one_of
from poflow.db.models import Hire, Person, Step
from poflow.kernel.foureyes import Outcome
from poflow.kernel.vocabulary import CaseType, Role
from poflow.onboarding.rules import AFGEROND, OWNER_LABELS, Phase, phase_on
from poflow.onboarding.status import PhaseCount, phase_counts_for
from poflow.states import HireState, StepState

__all__ = [
    "PAGE_SIZE",
    "PROCESS_LABELS",
    "Filters",
    "HireRow",
    "OverviewPage",
    "Wait",
    "owner_label",
    "read_overview",
]

PAGE_SIZE = 50
WAIT_HORIZON = timedelta(days=7)  # "what waits on whom": open work due within a week, or late
PROCESS_LABELS = {
    "onb": "checklist-items",
    "bud": "buddy-taken",
    "chk": "check-ins",
    "int": "introductie",
    "ges": "gesprekken en formulieren",
    "rec": "werving",
    "akkoord": "akkoorden (vier ogen)",
}


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
class Wait:
    """Open work waiting on one person (or a role): per kind, how many, how many late, first."""

    who: str
    kinds: list[tuple[str, int, int, date]]  # (label, open, late, earliest due)

    @property
    def late(self) -> int:
        """Items past their date."""
        return sum(k[2] for k in self.kinds)


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


def owner_label(owner_id: str | None, owner_role: str | None, names: dict[str, str]) -> str:
    """Who an item waits on: the person's name, else the role's Dutch name."""
    if owner_id and owner_id in names:
        return names[owner_id]
    if not owner_role:
        return "P&O"
    if owner_role in OWNER_LABELS:
        return OWNER_LABELS[owner_role]
    return Role(owner_role).label if owner_role in Role._value2member_map_ else owner_role


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


def _names(session: Session, ids: set[str], known: dict[str, str]) -> dict[str, str]:
    """Person id (or, for the new colleague's own items, hire id) -> name, for the ids given."""
    names = {i: known[i] for i in ids if i in known}
    for table in (Person, Hire):
        wanted = sorted(ids - set(names))
        for chunk in chunked(wanted):
            names.update(
                {
                    pid: f"{given} {family}"
                    for pid, given, family in session.execute(
                        select(table.id, table.given_name, table.family_name).where(
                            one_of(session, table.id, chunk)
                        )
                    )
                }
            )
    return names


def _wait_groups(
    session: Session, municipality: str, day: date
) -> dict[tuple[str | None, str | None], list[tuple[str, int, int, date]]]:
    """Open steps due within WAIT_HORIZON (or late) and waiting four-eyes questions, per person
    (owner id, or None and the owner's role): (kind, open, late, earliest due) per kind. One
    grouped pass over the municipality's open steps on ix_step_open_work (index only)."""
    late = case((Step.due_date < day, 1), else_=0)
    found = session.execute(
        select(
            Step.owner_id,
            Step.owner_role,
            Step.process,
            func.count(),
            func.sum(late),
            func.min(Step.due_date),
        )
        .where(
            Step.state == StepState.OPEN,
            Step.due_date <= day + WAIT_HORIZON,
            Step.municipality == municipality,
        )
        .group_by(Step.owner_id, Step.owner_role, Step.process)
    ).all()
    groups: dict[tuple[str | None, str | None], list[tuple[str, int, int, date]]] = defaultdict(
        list
    )
    for owner_id, owner_role, process, n, n_late, first in found:
        label = PROCESS_LABELS.get(process, process)
        groups[(owner_id, None if owner_id else owner_role)].append(
            (label, n, int(n_late or 0), first)
        )
    for person_id, asked_on in _open_approvals(session, municipality):
        groups[(person_id, None)].append((PROCESS_LABELS["akkoord"], 1, 0, asked_on))
    return groups


def _waits(
    groups: dict[tuple[str | None, str | None], list[tuple[str, int, int, date]]],
    names: dict[str, str],
) -> list[Wait]:
    """The wait groups with their people's names, the most late work first."""
    waits = [
        Wait(owner_label(owner_id, role, names), sorted(kinds, key=lambda k: k[3]))
        for (owner_id, role), kinds in groups.items()
    ]
    return sorted(waits, key=lambda w: (-w.late, w.who))


def _open_approvals(session: Session, municipality: str) -> list[tuple[str, date]]:
    """(person asked, day asked) of every four-eyes question still waiting on that person."""
    asked = session.execute(
        select(
            ApprovalRequest.subject_type,
            ApprovalRequest.subject_id,
            ApprovalRequest.required,
            ApprovalRequest.created_at,
        ).where(
            ApprovalRequest.municipality == municipality,
            ApprovalRequest.outcome == Outcome.PENDING,
        )
    ).all()
    if not asked:
        return []
    given = {
        (stype, sid, role)
        for stype, sid, role in session.execute(
            select(Approval.subject_type, Approval.subject_id, Approval.role).where(
                Approval.municipality == municipality
            )
        )
    }
    return [
        (person_id, created.date())
        for stype, sid, required, created in asked
        for role, person_id in required.items()
        if (stype, sid, role) not in given
    ]


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
    groups = _wait_groups(session, config.slug, day)
    owner_ids = {o for hid in ids for o, _, _ in late.get(hid, []) if o}
    owner_ids |= {owner_id for owner_id, _ in groups if owner_id}
    names = _names(session, owner_ids, {r[0]: r[1] for r in running})
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
        waits=_waits(groups, names),
    )
