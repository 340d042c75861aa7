"""The introduction programme's read model: what P&O sees of it.

The "programma" column of the onboarding status table (ONB-4): each hire's programme in one
phrase of ids, dates and counts; and the overviews of the group sessions (INT-3): ids and
statuses for Prefect, names only for P&O's own CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import NotFound
from poflow.config import MunicipalityConfig
from poflow.db.base import chunked
from poflow.db.models import Hire, Step
from poflow.engine import StatusColumn
from poflow.introduction.config import section
from poflow.introduction.kinds import PROCESS
from poflow.introduction.models import (
    Certificate,
    Enrolment,
    IntroSession,
    SessionParticipant,
    enrolment_of,
)
from poflow.introduction.rules import TargetGroup, classify, programme_end
from poflow.introduction.states import EnrolmentState, ParticipationStatus
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl
from poflow.states import StepState

__all__ = [
    "COLUMN_TITLE",
    "PROGRAMME_COLUMN",
    "SessionSummary",
    "named_rows",
    "programme_cells",
    "programme_status",
    "programme_statuses",
    "session_rows",
    "sessions_between",
]

COLUMN_TITLE = "programma"


def _done_items(session: Session, hire_id: str) -> set[str]:
    return _done_items_of(session, [hire_id])[hire_id]


def _done_items_of(session: Session, hire_ids: list[str]) -> dict[str, set[str]]:
    """Per hire: the series attended, the certificates and the INT steps done (3 queries)."""
    done: dict[str, set[str]] = {hid: set() for hid in hire_ids}
    attended = session.execute(
        select(SessionParticipant.hire_id, IntroSession.series)
        .join(SessionParticipant.session)
        .where(
            SessionParticipant.hire_id.in_(hire_ids),
            SessionParticipant.status == ParticipationStatus.ATTENDED,
        )
    )
    certs = session.execute(
        select(Certificate.hire_id, Certificate.item).where(Certificate.hire_id.in_(hire_ids))
    )
    for hid, item in [*attended, *certs]:
        done[hid].add(item)
    steps = session.execute(
        select(Step.case_id, Step.key).where(
            Step.case_type == CaseType.HIRE,
            Step.case_id.in_(hire_ids),
            Step.process == PROCESS,
            Step.state == StepState.DONE,
        )
    )
    for hid, key in steps:
        item = key.rsplit(":", 1)[-1]
        done[hid].add("startgesprek" if item == "startontwikkelgesprek" else item)
    return done


def programme_status(
    session: Session, hire: Hire, day: date, config: MunicipalityConfig | None = None
) -> str:
    """The hire's programme in one Dutch phrase, for the onboarding status table."""
    enrolment = enrolment_of(session, hire.id)
    return _status(hire, day, config, enrolment, lambda: _done_items(session, hire.id))


def programme_statuses(
    session: Session, hires: list[Hire], day: date, configs: dict[str, MunicipalityConfig]
) -> dict[str, str]:
    """programme_status of many hires: four queries per 500 hires instead of up to five each."""
    out: dict[str, str] = {}
    for chunk in chunked(hires):
        enrolments = {
            e.hire_id: e
            for e in session.scalars(
                select(Enrolment).where(Enrolment.hire_id.in_([h.id for h in chunk]))
            )
        }
        done = _done_items_of(session, list(enrolments))
        for h in chunk:
            out[h.id] = _status(
                h,
                day,
                configs.get(h.municipality),
                enrolments.get(h.id),
                partial(done.__getitem__, h.id),
            )
    return out


def _status(
    hire: Hire,
    day: date,
    config: MunicipalityConfig | None,
    enrolment: Enrolment | None,
    done_items: Callable[[], set[str]],
) -> str:
    cfg = section(config) if config is not None else None
    if enrolment is None:
        if cfg is None:
            return "niet aangemeld"
        if not cfg.enabled:
            return "geen programma"
        group = classify(hire.contract_type, hire.contract_months, cfg.rules(), cfg.default_group)
        return {
            TargetGroup.EXCLUDED: "uitgesloten",
            TargetGroup.SECONDARY: "niet aangemeld (secundair)",
        }.get(group, "nog te plannen")
    if enrolment.state == EnrolmentState.COMPLETED:
        return "afgerond"
    if enrolment.state == EnrolmentState.CANCELLED:
        return "geannuleerd"
    label = "start" if day < hire.first_working_day else "loopt"
    if config is None or cfg is None:
        return f"{label} ({enrolment.variant})"
    items = [i.key for i in cfg.variant_items(enrolment.variant)]
    finished = done_items()
    done = len(set(items) & finished)
    end = programme_end(config.calendar, hire.first_working_day, cfg.programme_months)
    late = [
        i.key
        for i in cfg.variant_items(enrolment.variant)
        if i.kind == "elearning" and i.key not in finished and day > end
    ]
    overdue = f"; e-learning te laat: {', '.join(late)}" if late else ""  # INT-4
    return (
        f"{label} ({enrolment.variant}): {done}/{len(items)} afgerond, tot {date_nl(end)}{overdue}"
    )


def programme_cells(
    session: Session, hires: list[Hire], day: date, configs: Mapping[str, MunicipalityConfig]
) -> dict[str, str]:
    """Each hire's introduction programme in one phrase (four queries per 500 hires)."""
    return programme_statuses(session, hires, day, dict(configs))


PROGRAMME_COLUMN = StatusColumn(COLUMN_TITLE, programme_cells)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session with its counts per participation status."""

    id: int
    series: str
    title: str
    session_date: date
    capacity: int
    counts: dict[str, int]


def session_rows(session: Session, session_id: int) -> tuple[str, list[tuple[str, str, str]]]:
    """The session's title and (hire id, status, reason) per participant; no names (X-3)."""
    s = session.get(IntroSession, session_id)
    if s is None:
        raise NotFound(f"Session {session_id} does not exist")
    return f"{s.title} {date_nl(s.session_date)}", [
        (p.hire_id, p.status.value, p.reason) for p in s.participants
    ]


def named_rows(session: Session, session_id: int) -> list[tuple[str, str, str, str]]:
    """(hire id, name, status, reason) per participant: for P&O's own CLI output only."""
    _, rows = session_rows(session, session_id)
    out = []
    for hire_id, status, reason in rows:
        hire = session.get(Hire, hire_id)
        out.append((hire_id, hire.full_name if hire else "?", status, reason))
    return out


def sessions_between(
    session: Session, municipality: str, first: date, last: date
) -> list[SessionSummary]:
    """Every session of the municipality in [first, last], with counts per status."""
    found = session.scalars(
        select(IntroSession)
        .where(
            IntroSession.municipality == municipality,
            IntroSession.session_date >= first,
            IntroSession.session_date <= last,
        )
        .order_by(IntroSession.session_date, IntroSession.id)
    )
    out = []
    for s in found:
        counts = {
            st.value: sum(p.status == st for p in s.participants) for st in ParticipationStatus
        }
        out.append(
            SessionSummary(
                s.id,
                s.series,
                s.title,
                s.session_date,
                s.capacity,
                {k: v for k, v in counts.items() if v},
            )
        )
    return out
