"""Approval roles granted by a second person (REC-9, X-4): asking, confirming, refusing.

An import asks for each new approval role with a `RoleGrant` (one batch per import) instead of
giving it; a P&O adviser or the gemeentesecretaris of the municipality, who is neither a grantee
nor the requester, confirms an import's grants together (the review page calls these functions
for the logged-in person) and only then does `person_role` get the rows. While a municipality
has nobody holding po_adviseur or gemeentesecretaris, an import's grants take effect at once
("bootstrap"): there is nobody to confirm yet. Removing a role takes effect at once. Every change
is audited with ids only; a role row's audit row names the roles then held, for `poflow audit
verify`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow import audit
from poflow._exceptions import GrantRefused
from poflow.db.base import utcnow
from poflow.db.models import Person, PersonRole
from poflow.staff.models import RoleGrant
from poflow.staff.rules import CONFIRMER_ROLES, confirm_refusal

__all__ = [
    "add_role",
    "confirm_grants",
    "has_confirmer",
    "pending_grants",
    "refuse_grants",
    "remove_role",
    "request_grant",
    "withdraw_grants",
]


def _held(person: Person) -> str:
    return ";".join(sorted(person.role_names))


def has_confirmer(session: Session, municipality: str) -> bool:
    """Whether someone in `municipality` holds a role that confirms grants (else: bootstrap)."""
    found = session.scalar(
        select(PersonRole.id)
        .where(
            PersonRole.municipality == municipality,
            PersonRole.role.in_(sorted(CONFIRMER_ROLES)),
        )
        .limit(1)
    )
    return found is not None


def add_role(
    session: Session,
    person: Person,
    role: str,
    *,
    actor: str,
    grant_id: int | None = None,
    bootstrap: bool = False,
) -> None:
    """Give `person` one role now, audited as `person.role_added` with the roles then held."""
    person.roles.append(PersonRole(role=role, municipality=person.municipality))
    extra: dict[str, int | bool] = {}
    if grant_id is not None:
        extra["grant_id"] = grant_id
    if bootstrap:
        extra["bootstrap"] = True
    audit.record(
        session,
        actor=actor,
        action="person.role_added",
        entity_type="person",
        entity_id=person.id,
        municipality=person.municipality,
        role=role,
        roles=_held(person),
        **extra,
    )


def remove_role(session: Session, person: Person, role: str, *, actor: str) -> None:
    """Take one role from `person` now (a removal needs no second person), audited."""
    for row in [r for r in person.roles if r.role == role]:
        person.roles.remove(row)
    audit.record(
        session,
        actor=actor,
        action="person.role_removed",
        entity_type="person",
        entity_id=person.id,
        municipality=person.municipality,
        role=role,
        roles=_held(person),
    )


def request_grant(
    session: Session, person: Person, role: str, *, actor: str, batch: str
) -> RoleGrant | None:
    """Ask for `role` for `person` in this batch; None when such a grant already waits (X-1)."""
    waiting = session.scalar(
        select(RoleGrant).where(
            RoleGrant.person_id == person.id,
            RoleGrant.role == role,
            RoleGrant.confirmed_at.is_(None),
            RoleGrant.refused_at.is_(None),
        )
    )
    if waiting is not None:
        return None
    grant = RoleGrant(
        person_id=person.id,
        municipality=person.municipality,
        role=role,
        batch=batch,
        requested_by=actor,
        requested_at=utcnow(),
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="role_grant.requested",
        entity_type="person",
        entity_id=person.id,
        municipality=person.municipality,
        role=role,
        grant_id=grant.id,
        batch=batch,
    )
    return grant


def withdraw_grants(session: Session, person: Person, keep: Collection[str], *, actor: str) -> int:
    """Withdraw `person`'s waiting grants of roles no longer asked for (not in `keep`)."""
    now = utcnow()
    count = 0
    for grant in _waiting_of(session, person.id):
        if grant.role in keep:
            continue
        grant.refused_by, grant.refused_at = actor, now
        audit.record(
            session,
            actor=actor,
            action="role_grant.withdrawn",
            entity_type="person",
            entity_id=person.id,
            municipality=person.municipality,
            role=grant.role,
            grant_id=grant.id,
        )
        count += 1
    return count


def _waiting_of(session: Session, person_id: str) -> list[RoleGrant]:
    return list(
        session.scalars(
            select(RoleGrant)
            .where(
                RoleGrant.person_id == person_id,
                RoleGrant.confirmed_at.is_(None),
                RoleGrant.refused_at.is_(None),
            )
            .order_by(RoleGrant.id)
        )
    )


def pending_grants(db: Session, municipality: str) -> list[RoleGrant]:
    """The municipality's grants waiting for a second person, by batch and id."""
    return list(
        db.scalars(
            select(RoleGrant)
            .where(
                RoleGrant.municipality == municipality,
                RoleGrant.confirmed_at.is_(None),
                RoleGrant.refused_at.is_(None),
            )
            .order_by(RoleGrant.batch, RoleGrant.id)
        )
    )


def _checked(db: Session, grant_ids: Collection[int], person_id: str, verb: str) -> list[RoleGrant]:
    """The grants, if `person_id` may confirm or refuse all of them; GrantRefused (audited,
    nothing else changed) otherwise."""
    ids = sorted(set(grant_ids))
    grants = list(db.scalars(select(RoleGrant).where(RoleGrant.id.in_(ids)).order_by(RoleGrant.id)))
    municipalities = {g.municipality for g in grants}
    municipality = next(iter(municipalities)) if len(municipalities) == 1 else None
    why: str | None
    if not ids:
        why = "Er zijn geen rollen gekozen om te beoordelen."
    elif len(grants) != len(ids):
        missing = sorted(set(ids) - {g.id for g in grants})
        why = f"Aanvraag {', '.join(map(str, missing))} bestaat niet."
    elif municipality is None:
        why = "De gekozen aanvragen horen bij verschillende gemeenten: beoordeel ze per gemeente."
    elif done := [g for g in grants if not g.pending]:
        why = (
            f"Aanvraag {', '.join(str(g.id) for g in done)} is al beoordeeld of ingetrokken; "
            "er is niets gewijzigd."
        )
    else:
        confirmer_roles = set(
            db.scalars(
                select(PersonRole.role).where(
                    PersonRole.person_id == person_id, PersonRole.municipality == municipality
                )
            )
        )
        why = confirm_refusal(
            confirmer_id=person_id,
            confirmer_roles=confirmer_roles,
            municipality=municipality,
            grantees={g.person_id for g in grants},
            requesters={g.requested_by for g in grants},
        )
    if why is None:
        return grants
    audit.record(
        db,
        actor=person_id,
        action=f"role_grant.{verb}_refused",
        entity_type="role_grant",
        entity_id=",".join(map(str, ids))[:80] or "none",
        municipality=municipality,
        grant_ids=",".join(map(str, ids)),
    )
    raise GrantRefused(why)


def _audit_decided(db: Session, grant: RoleGrant, by: str, outcome: str) -> None:
    audit.record(
        db,
        actor=by,
        action=f"role_grant.{outcome}",
        entity_type="person",
        entity_id=grant.person_id,
        municipality=grant.municipality,
        role=grant.role,
        grant_id=grant.id,
    )


def confirm_grants(
    db: Session, grant_ids: Collection[int], confirmer_person_id: str, now: datetime
) -> list[RoleGrant]:
    """Confirm the grants together: each person gets the role now. GrantRefused (its audit row
    left in the session for the caller to commit, nothing else changed) when the confirmer may
    not: see `poflow.staff.rules.confirm_refusal`."""
    grants = _checked(db, grant_ids, confirmer_person_id, "confirm")
    for grant in grants:
        grant.confirmed_by, grant.confirmed_at = confirmer_person_id, now
        _audit_decided(db, grant, confirmer_person_id, "confirmed")
        person = db.get(Person, grant.person_id)
        if person is None or grant.role in person.role_names:
            continue
        add_role(db, person, grant.role, actor=confirmer_person_id, grant_id=grant.id)
    db.flush()
    return grants


def refuse_grants(
    db: Session, grant_ids: Collection[int], refuser_person_id: str, now: datetime
) -> list[RoleGrant]:
    """Refuse the grants together: nobody gets the role. The same people may refuse as may
    confirm; GrantRefused otherwise."""
    grants = _checked(db, grant_ids, refuser_person_id, "refuse")
    for grant in grants:
        grant.refused_by, grant.refused_at = refuser_person_id, now
        _audit_decided(db, grant, refuser_person_id, "refused")
    db.flush()
    return grants
