"""Reading the audit log (X-4) for people: one municipality's rows filtered by case, person and
date range, a page at a time, and as CSV that a spreadsheet opens safely.

A case is the row's object id (a hire, round or candidate id); a person matches the rows they
did (actor) and the rows about them (a person's roles and login). Dates are whole days in the
municipality's time zone, both ends included. A cell that a spreadsheet would read as a formula
(starting with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from poflow.db.models import AuditEntry, Person
from poflow.kernel.calendar import TIMEZONE

__all__ = [
    "CSV_COLUMNS",
    "AuditFilter",
    "AuditPage",
    "audit_csv",
    "audit_page",
    "audit_rows",
    "safe_cell",
]

CSV_COLUMNS = ("id", "moment", "actor", "naam", "actie", "soort", "object", "details")
CSV_LIMIT = 100_000  # rows in one export: a filter narrows it further
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """What to show: every field optional; dates inclusive."""

    case: str = ""
    person: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    """One page of rows (newest first), the total matching and the page's number."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(TIMEZONE))


def _query(municipality: str, wanted: AuditFilter) -> Select[Any]:
    query = select(AuditEntry).where(AuditEntry.municipality == municipality)
    if wanted.case:
        query = query.where(AuditEntry.entity_id == wanted.case)
    if wanted.person:
        about = and_(AuditEntry.entity_type == "person", AuditEntry.entity_id == wanted.person)
        query = query.where(or_(AuditEntry.actor == wanted.person, about))
    if wanted.since:
        query = query.where(AuditEntry.at >= _start_of(wanted.since))
    if wanted.until:
        query = query.where(AuditEntry.at < _start_of(wanted.until + timedelta(days=1)))
    return query


def _names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    found = session.execute(
        select(Person.id, Person.given_name, Person.family_name).where(Person.id.in_(wanted))
    )
    return {pid: f"{given} {family}".strip() for pid, given, family in found}


def _shown(session: Session, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    names = _names(session, {e.actor for e in entries})
    zone = ZoneInfo(TIMEZONE)
    return [
        {
            "id": e.id,
            "moment": e.at.astimezone(zone),
            "actor": e.actor,
            "naam": names.get(e.actor, ""),
            "actie": e.action,
            "soort": e.entity_type,
            "object": e.entity_id,
            "details": json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else "",
        }
        for e in entries
    ]


def audit_page(
    session: Session, municipality: str, wanted: AuditFilter, *, page: int = 1, size: int = 50
) -> AuditPage:
    """Page `page` (from 1; past the end: the last) of the matching rows, newest first, with
    the name of each actor who is in the staff register."""
    query = _query(municipality, wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    entries = list(
        session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * size).limit(size))
    )
    return AuditPage(_shown(session, entries), total, page, pages)


def audit_rows(session: Session, municipality: str, wanted: AuditFilter) -> list[dict[str, Any]]:
    """Every matching row (at most CSV_LIMIT), oldest first: what the CSV export holds."""
    query = _query(municipality, wanted).order_by(AuditEntry.id).limit(CSV_LIMIT)
    return _shown(session, list(session.scalars(query)))


def safe_cell(value: object) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def audit_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV (a header of CSV_COLUMNS; moments in ISO 8601 with their offset)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {**row, "moment": row["moment"].isoformat(timespec="seconds")}
        writer.writerow([safe_cell(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()
