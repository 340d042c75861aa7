"""Import the coach's registrations from CSV or .xlsx: all rows or none (LBC-1/2).

Every row is checked first; each problem is one line naming the row (the header is row 1) and
the column. Re-importing the same file changes nothing; a changed row updates its record. An
import never mails a leidinggevende: it records history, consent mails go with live changes.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import ImportRejected
from poflow.coaching.config import ChoiceKind, CoachingSection, coaching_section
from poflow.coaching.models import CoachingRegistration
from poflow.coaching.rules import parse_yes_no
from poflow.coaching.states import TrajectoryState, parse_goal, parse_state
from poflow.config import MunicipalityConfig
from poflow.db.models import Person
from poflow.importer import ImportResult
from poflow.kernel.vocabulary import CaseType, Role
from poflow.rows import read_rows

__all__ = ["COLUMNS", "import_registrations"]

COLUMNS = (
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
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_CHOICES: tuple[tuple[str, ChoiceKind], ...] = (
    ("domain", "domains"),
    ("reason", "reasons"),
    ("source", "sources"),
)


class _Rows:
    """Collects problems per row and column while parsing."""

    def __init__(
        self, configs: dict[str, MunicipalityConfig], people: dict[str, Person], today: date
    ) -> None:
        self.configs, self.people, self.today = configs, people, today
        self.problems: list[str] = []

    def bad(self, row: int, column: str, why: str) -> None:
        self.problems.append(f"row {row}, column '{column}': {why}")

    def parse(self, n: int, rec: dict[str, str]) -> dict[str, Any]:
        slug = rec["municipality"]
        if slug not in self.configs:
            self.bad(
                n,
                "municipality",
                f"unknown municipality {slug!r}; known: {', '.join(sorted(self.configs))}",
            )
            return {}
        section = coaching_section(self.configs[slug])
        out: dict[str, Any] = {"municipality": slug, "ref": rec["ref"]}
        if not _ID.match(rec["ref"]):
            self.bad(
                n,
                "ref",
                f"{rec['ref']!r} is not a valid number (letters, digits, - and _, at most 40)",
            )
        name = rec["employee_name"]
        if not name or len(name) > 200 or any(ord(ch) < 32 for ch in name):
            self.bad(n, "employee_name", "must be 1 to 200 characters of text")
        out["employee_name"] = name
        out["employee_id"] = rec["employee_id"] or None
        if out["employee_id"] and not _ID.match(out["employee_id"]):
            self.bad(n, "employee_id", f"{out['employee_id']!r} is not a valid id")
        out["coach_id"] = self.person(n, rec, "coach_id", slug, Role.LOOPBAANCOACH, required=True)
        out["manager_id"] = self.person(n, rec, "manager_id", slug, Role.LEIDINGGEVENDE)
        for column, kind in _CHOICES:
            out[column] = section.match(kind, rec[column])
            if out[column] is None:
                self.bad(
                    n, column, f"unknown {column} {rec[column]!r}; known: {section.describe(kind)}"
                )
        out["registered_on"] = self.day(n, rec, "registered_on", required=True)
        out["manager_consent"] = self.word(n, rec, "manager_consent", parse_yes_no)
        out["goal1"] = self.word(n, rec, "goal1", parse_goal)
        out["goal2"] = self.word(n, rec, "goal2", parse_goal)
        if out["goal2"] is not None and out["goal1"] is None:
            self.bad(n, "goal2", "goal 2 is set but goal 1 is empty")
        out["state"] = (
            self.word(n, rec, "state", parse_state) if rec["state"] else TrajectoryState.ACTIVE
        )
        self.ending(n, rec, out, section)
        return out

    def person(
        self,
        n: int,
        rec: dict[str, str],
        column: str,
        slug: str,
        role: Role,
        *,
        required: bool = False,
    ) -> str | None:
        pid = rec[column]
        if not pid:
            if required:
                self.bad(n, column, "is empty, a person id is required")
            return None
        person = self.people.get(pid)
        if person is None or person.municipality != slug:
            self.bad(n, column, f"unknown person {pid!r} in {slug!r}: import staff first")
        elif role not in person.role_names:
            self.bad(n, column, f"person {pid} does not have the role {role}")
        return pid

    def day(self, n: int, rec: dict[str, str], column: str, *, required: bool) -> date | None:
        raw = rec[column]
        if not raw:
            if required:
                self.bad(n, column, "is empty, a date is required (YYYY-MM-DD)")
            return None
        try:
            value = date.fromisoformat(raw)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) or value.year < 2000:
                raise ValueError(raw)
        except ValueError:
            self.bad(n, column, f"{raw!r} is not a date (expected YYYY-MM-DD)")
            return None
        if value > self.today:
            self.bad(n, column, f"{raw} is in the future")
        return value

    def word(self, n: int, rec: dict[str, str], column: str, fn: Any) -> Any:
        try:
            return fn(rec[column])
        except ValueError as exc:
            self.bad(n, column, str(exc))
            return None

    def ending(
        self, n: int, rec: dict[str, str], out: dict[str, Any], section: CoachingSection
    ) -> None:
        state = out["state"]
        out["ended_on"] = self.day(
            n, rec, "ended_on", required=state not in (TrajectoryState.ACTIVE, None)
        )
        if state is TrajectoryState.ACTIVE and out["ended_on"]:
            self.bad(n, "ended_on", "must be empty while the trajectory is in traject")
        if out["ended_on"] and out["registered_on"] and out["ended_on"] < out["registered_on"]:
            self.bad(n, "ended_on", "is before registered_on")
        out["end_reason"] = None
        if state is TrajectoryState.ENDED_EARLY:
            out["end_reason"] = section.match("early_end_reasons", rec["end_reason"])
            if out["end_reason"] is None:
                self.bad(
                    n,
                    "end_reason",
                    f"unknown or empty reason {rec['end_reason']!r} for "
                    f"'gestopt'; known: "
                    f"{section.describe('early_end_reasons')}",
                )
        elif rec["end_reason"]:
            self.bad(n, "end_reason", "must be empty unless the state is 'gestopt'")


def import_registrations(
    session: Session,
    path: Path,
    configs: dict[str, MunicipalityConfig],
    *,
    today: date,
    actor: str = "cli",
) -> ImportResult:
    """Import registrations.csv/.xlsx (columns COLUMNS). Nothing is written if any row is bad."""
    rows = read_rows(path, COLUMNS)
    ids = {r[c] for r in rows for c in ("coach_id", "manager_id") if r.get(c)}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    check = _Rows(configs, people, today)
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for n, rec in enumerate(rows, start=2):
        rec = {c: (rec.get(c) or "").strip() for c in COLUMNS}
        out = check.parse(n, rec)
        key = (rec["municipality"], rec["ref"])
        if key in seen:
            check.bad(n, "ref", f"{rec['ref']!r} appears twice (also row {seen[key]})")
        seen.setdefault(key, n)
        parsed.append((n, out))
    existing = {
        (r.municipality, r.ref): r
        for r in session.scalars(
            select(CoachingRegistration).where(CoachingRegistration.ref.in_({k[1] for k in seen}))
        )
    }
    for n, out in parsed:
        old = existing.get((out.get("municipality", ""), out.get("ref", "")))
        if old is not None and old.coach_id != out.get("coach_id"):
            check.bad(n, "coach_id", f"registration {old.ref} belongs to another coach")
    if check.problems:
        raise ImportRejected(str(path), check.problems)
    created = updated = unchanged = 0
    for _, out in parsed:
        reg = existing.get((out["municipality"], out["ref"]))
        if reg is None:
            reg = CoachingRegistration(**out)
            session.add(reg)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="coaching.imported",
                entity_type=CaseType.COACHING,
                entity_id=reg.case_id,
                municipality=reg.municipality,
                state=reg.state.value,
            )
            created += 1
            continue
        changed = sorted(k for k, v in out.items() if getattr(reg, k) != v)
        for k in changed:
            setattr(reg, k, out[k])
        if changed:
            audit.record(
                session,
                actor=actor,
                action="coaching.updated",
                entity_type=CaseType.COACHING,
                entity_id=reg.case_id,
                municipality=reg.municipality,
                fields=",".join(changed),
            )
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ImportResult(created, updated, unchanged)
