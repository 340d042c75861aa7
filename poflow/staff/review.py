"""What the role-grant review page and its mail show: a municipality's waiting approval-role
grants, grouped by the import (batch) that asked for them, in Dutch words (REC-9).

Read-only; confirming and refusing are `poflow.staff.grants.confirm_grants` / `refuse_grants`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.db.models import Person
from poflow.kernel.calendar import TZ
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl
from poflow.staff.grants import pending_grants
from poflow.staff.models import RoleGrant

__all__ = ["Batch", "GrantLine", "batch_of", "role_label", "waiting_batches", "when_nl"]


def role_label(role: str) -> str:
    """The Dutch name of a role ("P&O-adviseur"); an unknown value as it is."""
    try:
        return Role(role).label
    except ValueError:
        return role


def when_nl(moment: datetime) -> str:
    """ "dinsdag 2 maart 2027 om 09:15 uur", in the municipalities' time zone."""
    local = moment.astimezone(TZ)
    return f"{date_nl(local.date())} om {local:%H:%M} uur"


@dataclass(frozen=True, slots=True)
class GrantLine:
    """One waiting grant as shown: who gets which role."""

    grant_id: int
    person_id: str
    name: str
    role: str  # the Dutch name


@dataclass(frozen=True, slots=True)
class Batch:
    """One import's waiting grants in one municipality, with who asked for them and when."""

    batch: str
    municipality: str
    requested_by: tuple[str, ...]  # audit actors: person ids or cli:<os user>
    requester: str  # in words: "Bram de Wit (HB-0002)", "beheerder 'beheer' (opdrachtregel)"
    requested_at: datetime
    lines: tuple[GrantLine, ...]

    @property
    def when(self) -> str:
        """When the import asked, in Dutch."""
        return when_nl(self.requested_at)

    @property
    def grant_ids(self) -> list[int]:
        """The ids of the grants, in order."""
        return [line.grant_id for line in self.lines]

    @property
    def grantees(self) -> set[str]:
        """The people who would get a role."""
        return {line.person_id for line in self.lines}


def _requester(names: dict[str, str], actor: str) -> str:
    if actor in names:
        return f"{names[actor]} ({actor})"
    if actor.startswith("cli:"):
        return f"beheerder '{actor.removeprefix('cli:')}' (opdrachtregel)"
    return actor


def _batches(db: Session, grants: list[RoleGrant]) -> list[Batch]:
    ids = {g.person_id for g in grants} | {g.requested_by for g in grants}
    names = {
        p.id: p.full_name for p in db.scalars(select(Person).where(Person.id.in_(sorted(ids))))
    }
    grouped: dict[str, list[RoleGrant]] = {}
    for grant in grants:
        grouped.setdefault(grant.batch, []).append(grant)
    out = []
    for batch, rows in grouped.items():
        first = rows[0]
        lines = tuple(
            GrantLine(g.id, g.person_id, names.get(g.person_id, g.person_id), role_label(g.role))
            for g in rows
        )
        requesters = sorted({g.requested_by for g in rows})
        out.append(
            Batch(
                batch=batch,
                municipality=first.municipality,
                requested_by=tuple(requesters),
                requester=", ".join(_requester(names, r) for r in requesters),
                requested_at=min(g.requested_at for g in rows),
                lines=lines,
            )
        )
    return sorted(out, key=lambda b: (b.requested_at, b.batch))


def waiting_batches(db: Session, municipality: str) -> list[Batch]:
    """The municipality's waiting grants by import, oldest import first."""
    return _batches(db, pending_grants(db, municipality))


def batch_of(db: Session, municipality: str, batch: str) -> Batch | None:
    """One import's waiting grants in `municipality`, or None when none wait."""
    grants = [g for g in pending_grants(db, municipality) if g.batch == batch]
    found = _batches(db, grants)
    return found[0] if found else None
