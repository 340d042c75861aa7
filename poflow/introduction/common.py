"""Shared helpers of the introduction programme: its config section, links, lookups."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from poflow.config import MunicipalityConfig
from poflow.db.models import Hire, Person
from poflow.engine import Context
from poflow.introduction.config import IntroductionSection
from poflow.introduction.models import Enrolment
from poflow.introduction.rules import programme_end
from poflow.links import mint_link

__all__ = ["action_url", "end_of_programme", "enrolment_of", "first_with_role", "section"]


def section(config: MunicipalityConfig) -> IntroductionSection:
    """The municipality's introduction.yaml."""
    return config.section("introduction", IntroductionSection)


def end_of_programme(ctx: Context, hire: Hire) -> date:
    """INT-2: the hire's last programme day (programme_months after the first working day)."""
    return programme_end(ctx.calendar, hire.first_working_day, section(ctx.config).programme_months)


def enrolment_of(ctx: Context, hire_id: str) -> Enrolment | None:
    """The hire's enrolment, or None."""
    return ctx.session.scalar(select(Enrolment).where(Enrolment.hire_id == hire_id))


def first_with_role(ctx: Context, role: str) -> Person | None:
    """The first person (by id) holding `role` in this municipality, or None."""
    people = ctx.people_with_role(role)
    return people[0] if people else None


def action_url(
    ctx: Context,
    *,
    action: str,
    subject_id: str,
    case_type: str,
    case_id: str,
    valid_until: date,
    step_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """A signed single-use link that stays valid until the end of `valid_until` (plus a week)."""
    days = max((valid_until - ctx.day).days, 0) + 8
    token = mint_link(
        ctx.session,
        secret=ctx.settings.secret_key.get_secret_value(),
        action=action,
        municipality=ctx.municipality,
        case_type=case_type,
        case_id=case_id,
        subject_id=subject_id,
        step_id=step_id,
        data=data,
        expires_days=days,
    )
    return f"{ctx.settings.resolved_base_url()}/a/{token}"
