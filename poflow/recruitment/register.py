"""The staff register behind the voorkeursbeleid (REC-4): tiers 1-3 are what the register says.

A person on the register is the municipality's own employee unless P&O recorded another standing
(bovenformatief, former staff on UWO, seconded, hired) with `poflow recruitment standing`.
"""

from __future__ import annotations

from poflow._exceptions import RecruitmentRefused
from poflow.db.models import Person
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.recruitment.models import StaffStanding
from poflow.recruitment.rules import Standing, Tier, tier_refusal

__all__ = ["check_tier", "set_standing", "standing_of"]


def standing_of(ctx: Context, person_id: str) -> Standing | None:
    """The register's standing of `person_id` in this municipality, None when not on it."""
    person = ctx.session.get(Person, person_id)
    if person is None or person.municipality != ctx.municipality:
        return None
    row = ctx.session.get(StaffStanding, person_id)
    return Standing(row.standing) if row is not None else Standing.IN_DIENST


def check_tier(ctx: Context, tier: Tier, employee_id: str | None, *, field: str = "tier") -> None:
    """Refuse a declared tier 1-3 the staff register does not support (REC-4), naming `field`."""
    standing = standing_of(ctx, employee_id) if employee_id else None
    problem = tier_refusal(tier, employee_id, standing)
    if problem:
        raise RecruitmentRefused(f"{field}: {problem}")


def set_standing(ctx: Context, person_id: str, standing: Standing, *, by: str) -> bool:
    """P&O records how `person_id` works for the municipality; False when it already was so."""
    person = ctx.session.get(Person, person_id)
    if person is None or person.municipality != ctx.municipality:
        raise RecruitmentRefused(
            f"Cannot record the standing of {person_id}: not on the staff register of "
            f"{ctx.municipality}."
        )
    row = ctx.session.get(StaffStanding, person_id)
    old = Standing(row.standing) if row is not None else Standing.IN_DIENST
    if old is standing:
        return False
    if row is None:
        ctx.session.add(
            StaffStanding(
                person_id=person_id,
                municipality=ctx.municipality,
                standing=standing.value,
                recorded_by=by,
            )
        )
    else:
        row.standing, row.recorded_by = standing.value, by
    ctx.audit(
        "person.standing", CaseType.PERSON, person_id, old=old.value, new=standing.value, by=by
    )
    return True
