"""Candidates (REC-4, REC-12, REC-13): applying with a voorkeursbeleid tier (alone or from a
file), a referral, and the informal koffiemoment before applying."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from poflow._exceptions import ImportRejected, RecruitmentRefused
from poflow.addresses import check_address, check_name
from poflow.db.models import Person, Step
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType, Role
from poflow.recruitment.mails import (
    candidate_recipient,
    local,
    mail_candidate,
    mail_staff,
    section,
)
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.register import check_tier
from poflow.recruitment.rounds import get_round
from poflow.recruitment.rules import KOFFIEMOMENT_HOSTS, Tier
from poflow.recruitment.states import CandidateState, check_candidate_move, check_may_apply
from poflow.rows import RowChecker, read_rows
from poflow.settings import get_settings

__all__ = [
    "CANDIDATE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "add_candidate",
    "candidates_of",
    "checked_candidates",
    "checked_person",
    "plan_koffiemoment",
    "read_candidates",
]

NAME_LENGTH = 100  # the length of a candidate's name columns
CANDIDATE_COLUMNS = (
    "given_name",
    "family_name",
    "email",
    "tier",
    "consent_partners",
    "consent_retention",
    "referred_by",
)
OPTIONAL_COLUMNS = ("employee_id",)  # REC-4: the staff register's id of a tier 1-3 candidate


def candidates_of(ctx: Context, rnd: RecruitmentRound) -> list[Candidate]:
    """The round's candidates in order of application."""
    return list(
        ctx.session.scalars(
            select(Candidate).where(Candidate.round_id == rnd.id).order_by(Candidate.seq)
        )
    )


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "ja", "yes", "true", "j", "y"}


def read_candidates(file: Path, *, smtputf8: bool | None = None) -> list[dict[str, Any]]:
    """The applications of a CSV/.xlsx file (columns CANDIDATE_COLUMNS) as add_candidate's
    arguments; see checked_candidates."""
    recs = read_rows(file, CANDIDATE_COLUMNS, optional=OPTIONAL_COLUMNS)
    return checked_candidates(recs, str(file), smtputf8=smtputf8)


def checked_candidates(
    recs: list[dict[str, str]], source: str, *, smtputf8: bool | None = None
) -> list[dict[str, Any]]:
    """The rows of a candidates file (`source`) as add_candidate's arguments. Names, address
    (under the SMTPUTF8 policy), tier and referrer are checked as at the staff import:
    ImportRejected lists every problem by row and column, nothing is added."""
    check = RowChecker(smtputf8=smtputf8)
    rows: list[dict[str, Any]] = []
    for n, rec in enumerate(recs, start=2):
        tier = check.whole_number(n, rec, "tier", 1, 4)
        if not rec["tier"]:
            check.bad(n, "tier", "is empty; expected a voorkeursbeleid tier from 1 to 4")
        rows.append(
            {
                "given_name": check.text(n, rec, "given_name", max_length=NAME_LENGTH),
                "family_name": check.text(n, rec, "family_name", max_length=NAME_LENGTH),
                "email": check.email(n, rec, "email"),
                "tier": tier,
                "consent_partners": _flag(rec["consent_partners"]),
                "consent_retention": _flag(rec["consent_retention"]),
                "referred_by_id": check.ident(n, rec, "referred_by", required=False) or None,
                "employee_id": check.ident(n, rec, "employee_id", required=False) or None,
            }
        )
    if check.problems:
        raise ImportRejected(source, check.problems)
    return rows


def checked_person(
    given_name: str,
    family_name: str,
    email: str,
    *,
    smtputf8: bool | None = None,
    fields: tuple[str, str, str] = ("given_name", "family_name", "email"),
) -> dict[str, str]:
    """A candidate's names and address, checked and normalised; InputRefused names the field
    (`fields`: how the caller calls them, e.g. the CLI's options). `smtputf8`: the policy,
    default the setting POFLOW_SMTPUTF8."""
    if smtputf8 is None:
        smtputf8 = get_settings().smtputf8
    return {
        "given_name": check_name(given_name.strip(), field=fields[0], max_length=NAME_LENGTH),
        "family_name": check_name(family_name.strip(), field=fields[1], max_length=NAME_LENGTH),
        "email": check_address(email, smtputf8=smtputf8, field=fields[2]),
    }


def _new_candidate(ctx: Context, rnd: RecruitmentRound, **values: Any) -> Candidate:
    seq = (
        ctx.session.scalar(select(func.max(Candidate.seq)).where(Candidate.round_id == rnd.id)) or 0
    ) + 1
    cand = Candidate(
        id=f"{rnd.id}-K{seq:03d}", round_id=rnd.id, municipality=rnd.municipality, seq=seq, **values
    )
    ctx.session.add(cand)
    ctx.session.flush()
    return cand


def add_candidate(
    ctx: Context,
    round_id: str,
    *,
    given_name: str,
    family_name: str,
    email: str,
    tier: int,
    consent_partners: bool = False,
    consent_retention: bool = False,
    referred_by_id: str | None = None,
    prospect_id: str | None = None,
    employee_id: str | None = None,
) -> Candidate:
    """Register an application with its voorkeursbeleid tier (REC-4) and confirm receipt; a
    tier 1-3 must be what the staff register says of `employee_id`."""
    rnd = get_round(ctx.session, round_id)
    level = Tier(tier)
    check_may_apply(rnd.id, rnd.state, level)
    if referred_by_id is not None:
        referrer = ctx.session.get(Person, referred_by_id)
        if referrer is None or referrer.municipality != ctx.municipality:
            raise RecruitmentRefused(
                f"Cannot register a referral by {referred_by_id} for round "
                f"{rnd.id}: no such employee in {ctx.municipality}."
            )
    values = {
        **checked_person(given_name, family_name, email, smtputf8=ctx.settings.smtputf8),
        "tier": int(level),
        "consent_partners": consent_partners,
        "consent_retention": consent_retention,
        "referred_by_id": referred_by_id,
        "employee_id": employee_id or None,
        "applied_on": ctx.day,
    }
    check_tier(ctx, level, employee_id)
    if prospect_id is not None:
        cand = ctx.session.get(Candidate, prospect_id)
        if cand is None or cand.round_id != rnd.id:
            raise RecruitmentRefused(
                f"Cannot register prospect {prospect_id}: not in round {rnd.id}."
            )
        check_candidate_move(cand.id, cand.state, CandidateState.APPLIED)
        for name, value in values.items():
            setattr(cand, name, value)
        cand.state = CandidateState.APPLIED
    else:
        cand = _new_candidate(ctx, rnd, state=CandidateState.APPLIED, **values)
    ctx.audit(
        "candidate.applied",
        CaseType.CANDIDATE,
        cand.id,
        round=rnd.id,
        tier=cand.tier,
        referred=referred_by_id is not None,
        consent_partners=consent_partners,
        consent_retention=consent_retention,
    )
    mail_candidate(
        ctx,
        rnd,
        cand,
        key=f"rec.ontvangst:{cand.id}",
        template="recruitment/rec_ontvangst",
        extra={
            "bewaren_maanden": section(ctx).retention_consent_months,
            "bewaren_weken": section(ctx).retention_weeks,
            "toestemming_bewaren": consent_retention,
        },
    )
    return cand


def plan_koffiemoment(
    ctx: Context,
    round_id: str,
    *,
    given_name: str,
    family_name: str,
    email: str,
    host_id: str,
    starts_at: datetime,
) -> Candidate:
    """An informal coffee before applying, with the recruiter or a colleague (REC-13)."""
    person = checked_person(given_name, family_name, email, smtputf8=ctx.settings.smtputf8)
    rnd = get_round(ctx.session, round_id)
    if rnd.state.final:
        raise RecruitmentRefused(
            f"Cannot plan a koffiemoment for round {rnd.id}: it is {rnd.state.value}."
        )
    host = ctx.person(host_id)
    if not host.role_names & KOFFIEMOMENT_HOSTS:
        raise RecruitmentRefused(
            f"Cannot plan a koffiemoment with {host_id}: the host is the recruiter or a colleague."
        )
    cand = _new_candidate(
        ctx,
        rnd,
        state=CandidateState.PROSPECT,
        **person,
        tier=int(Tier.EXTERN),
        consent_partners=False,
        consent_retention=False,
    )
    cfg = section(ctx)
    ends_at = starts_at + timedelta(minutes=cfg.koffiemoment_minutes)
    step = Step(
        municipality=ctx.municipality,
        case_type=CaseType.CANDIDATE,
        case_id=cand.id,
        process="rec",
        key="koffiemoment",
        title="Koffiemoment",
        due_date=starts_at.date(),
        starts_at=starts_at,
        ends_at=ends_at,
        owner_role=Role.RECRUITER,
        owner_id=host_id,
        sequence=0,
        data={"round": rnd.id},
    )
    ctx.session.add(step)
    ctx.session.flush()
    ctx.audit(
        "candidate.koffiemoment",
        CaseType.CANDIDATE,
        cand.id,
        round=rnd.id,
        host=host_id,
        step=step.id,
    )
    invitation = ctx.invitation_for(
        step,
        summary=f"Koffiemoment over de vacature {rnd.function}",
        description="Een informeel kopje koffie (fysiek of digitaal) over de vacature.",
        location=cfg.koffiemoment_location,
        attendees=(candidate_recipient(cand), ctx.recipient(host)),
    )
    extra = {
        "start": local(starts_at),
        "einde": local(ends_at),
        "locatie": cfg.koffiemoment_location,
        "gastheer": host.full_name,
    }
    mail_candidate(
        ctx,
        rnd,
        cand,
        key=f"rec.koffie:{cand.id}",
        template="recruitment/rec_koffiemoment",
        extra={**extra, "rol": "kandidaat"},
        invitation=invitation,
    )
    mail_staff(
        ctx,
        rnd,
        host,
        key=f"rec.koffie:{cand.id}",
        template="recruitment/rec_koffiemoment",
        extra={**extra, "rol": "gastheer", "kandidaat": cand.full_name},
        case_type=CaseType.CANDIDATE,
        case_id=cand.id,
        invitation=invitation,
    )
    return cand
