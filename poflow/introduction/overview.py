"""Session overviews (INT-3): ids and statuses for Prefect, names only for P&O's own CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import NotFound
from poflow.db.models import Hire
from poflow.introduction.models import IntroSession
from poflow.introduction.rules import ParticipationStatus

__all__ = ["SessionSummary", "named_rows", "session_rows", "sessions_between"]


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
    return f"{s.title} {s.session_date:%d-%m-%Y}", [
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
