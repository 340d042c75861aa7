"""Candidates: applying, the koffiemoment, selection and interview rounds (REC-4..7, 11, 13)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from poflow._exceptions import ActionRefused, RecruitmentRefused
from poflow.db.models import Person, Step
from poflow.engine import Context
from poflow.links import ActionLink, LinkAction, link_url
from poflow.recruitment.mails import (
    CANDIDATE_CASE,
    TIER_NL,
    candidate_recipient,
    local,
    mail_candidate,
    mail_staff,
    section,
)
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.rounds import close_candidate, get_round, move_round, require_role
from poflow.recruitment.rules import (
    CandidateState,
    RoundState,
    Tier,
    check_candidate_move,
    check_may_apply,
    interview_order,
    interview_slots,
    panel_roles,
)

__all__ = [
    "ACCEPT",
    "DECLINE",
    "add_candidate",
    "candidates_of",
    "plan_interviews",
    "plan_koffiemoment",
    "select_for_round",
]

ACCEPT, DECLINE = "rec.interview.accept", "rec.interview.decline"
_STAGE = {
    1: (RoundState.ROUND_ONE, CandidateState.ROUND_ONE),
    2: (RoundState.ROUND_TWO, CandidateState.ROUND_TWO),
}


def candidates_of(ctx: Context, rnd: RecruitmentRound) -> list[Candidate]:
    """The round's candidates in order of application."""
    return list(
        ctx.session.scalars(
            select(Candidate).where(Candidate.round_id == rnd.id).order_by(Candidate.seq)
        )
    )


def _new_candidate(ctx: Context, rnd: RecruitmentRound, **values: object) -> Candidate:
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
) -> Candidate:
    """Register an application with its voorkeursbeleid tier (REC-4) and confirm receipt."""
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
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "email": email.strip(),
        "tier": int(level),
        "consent_partners": consent_partners,
        "consent_retention": consent_retention,
        "referred_by_id": referred_by_id,
        "applied_on": ctx.day,
    }
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
        "candidate",
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
        template="rec_ontvangst",
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
    rnd = get_round(ctx.session, round_id)
    if rnd.state.final:
        raise RecruitmentRefused(
            f"Cannot plan a koffiemoment for round {rnd.id}: it is {rnd.state.value}."
        )
    host = ctx.person(host_id)
    if not host.role_names & {"recruiter", "medewerker", "mt_lid", "po_adviseur"}:
        raise RecruitmentRefused(
            f"Cannot plan a koffiemoment with {host_id}: the host is the recruiter or a colleague."
        )
    cand = _new_candidate(
        ctx,
        rnd,
        state=CandidateState.PROSPECT,
        given_name=given_name,
        family_name=family_name,
        email=email,
        tier=int(Tier.EXTERN),
        consent_partners=False,
        consent_retention=False,
    )
    cfg = section(ctx)
    step = Step(
        municipality=ctx.municipality,
        case_type=CANDIDATE_CASE,
        case_id=cand.id,
        process="rec",
        key="koffiemoment",
        title="Koffiemoment",
        due_date=starts_at.date(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=cfg.koffiemoment_minutes),
        owner_role="recruiter",
        owner_id=host_id,
        sequence=0,
        data={"round": rnd.id},
    )
    ctx.session.add(step)
    ctx.session.flush()
    ctx.audit(
        "candidate.koffiemoment", "candidate", cand.id, round=rnd.id, host=host_id, step=step.id
    )
    invitation = ctx.invitation_for(
        step,
        summary=f"Koffiemoment over de vacature {rnd.function}",
        description="Een informeel kopje koffie (fysiek of digitaal) over de vacature.",
        location=cfg.koffiemoment_location,
        attendees=(candidate_recipient(cand), ctx.recipient(host)),
    )
    extra = {
        "start": local(step.starts_at),
        "einde": local(step.ends_at),
        "locatie": cfg.koffiemoment_location,
        "gastheer": host.full_name,
    }
    mail_candidate(
        ctx,
        rnd,
        cand,
        key=f"rec.koffie:{cand.id}",
        template="rec_koffiemoment",
        extra={**extra, "rol": "kandidaat"},
        invitation=invitation,
    )
    mail_staff(
        ctx,
        rnd,
        host,
        key=f"rec.koffie:{cand.id}",
        template="rec_koffiemoment",
        extra={**extra, "rol": "gastheer", "kandidaat": cand.full_name},
        case_type=CANDIDATE_CASE,
        case_id=cand.id,
        invitation=invitation,
    )
    return cand


def select_for_round(
    ctx: Context, round_id: str, round_no: int, chosen: list[str], *, by: str, with_po: str
) -> list[Candidate]:
    """The MT-lid selects with P&O (REC-5, REC-7); the others hear a friendly no (REC-11)."""
    rnd = get_round(ctx.session, round_id)
    if by != rnd.mt_lid_id:
        raise RecruitmentRefused(
            f"Cannot select for interview round {round_no} of {rnd.id} as "
            f"{by}: the round's MT-lid {rnd.mt_lid_id} selects."
        )
    require_role(ctx, by, "mt_lid", f"select for round {rnd.id}")
    require_role(ctx, with_po, "po_adviseur", f"select with P&O for round {rnd.id}")
    if with_po == by:
        raise RecruitmentRefused(
            f"Cannot select for round {rnd.id}: the MT-lid selects in "
            "consultation with someone else from P&O."
        )
    round_state, cand_state = _STAGE[round_no]
    before = CandidateState.APPLIED if round_no == 1 else CandidateState.ROUND_ONE
    pool = [c for c in candidates_of(ctx, rnd) if c.state is before]
    unknown = set(chosen) - {c.id for c in pool}
    if unknown or not chosen:
        raise RecruitmentRefused(
            f"Cannot select {sorted(unknown) or 'nobody'} for interview "
            f"round {round_no} of {rnd.id}: choose from "
            f"{[c.id for c in pool]}."
        )
    move_round(ctx, rnd, round_state, selected=len(chosen), by=by, with_po=with_po)
    reason = "niet_geselecteerd" if round_no == 1 else "na_eerste_gesprek"
    for cand in pool:
        if cand.id in chosen:
            check_candidate_move(cand.id, cand.state, cand_state)
            cand.state = cand_state
            ctx.audit(
                "candidate.moved", "candidate", cand.id, round=rnd.id, to_state=cand_state.value
            )
        else:
            close_candidate(ctx, rnd, cand, CandidateState.REJECTED, reason)
    return [c for c in pool if c.id in chosen]


def plan_interviews(ctx: Context, round_id: str, round_no: int, first: datetime) -> list[Step]:
    """Invite the selected in voorkeursbeleid order: higher tiers and internal first (REC-4/6/7)."""
    rnd = get_round(ctx.session, round_id)
    round_state, cand_state = _STAGE[round_no]
    if rnd.state is not round_state:
        raise RecruitmentRefused(
            f"Cannot plan interview round {round_no} of {rnd.id}: the round is {rnd.state.value!r}."
        )
    panel = panel_roles(
        round_no, po_id=rnd.po_id, mt_lid_id=rnd.mt_lid_id, colleague_id=rnd.colleague_id
    )
    key = f"interview:{round_no}"
    todo = [
        c
        for c in candidates_of(ctx, rnd)
        if c.state is cand_state
        and ctx.step(case_type=CANDIDATE_CASE, case_id=c.id, key=key) is None
    ]
    ordered = interview_order(todo, key=lambda c: (c.tier, c.seq))
    cfg = section(ctx)
    slots = interview_slots(
        first,
        len(ordered),
        minutes=cfg.interview_minutes,
        gap=cfg.interview_gap_minutes,
        day_end=cfg.interview_day_end,
        calendar=ctx.calendar,
    )
    members = [ctx.person(pid) for pid in panel.members.values()]
    steps = []
    for cand, (start, end) in zip(ordered, slots, strict=True):
        step = Step(
            municipality=ctx.municipality,
            case_type=CANDIDATE_CASE,
            case_id=cand.id,
            process="rec",
            key=key,
            title=f"Sollicitatiegesprek ronde {round_no}",
            due_date=start.date(),
            starts_at=start,
            ends_at=end,
            owner_role="po_adviseur",
            owner_id=rnd.po_id,
            sequence=0,
            data={"round": rnd.id, "round_no": round_no, "panel": panel.members},
        )
        ctx.session.add(step)
        ctx.session.flush()
        ctx.audit(
            "candidate.invited",
            "candidate",
            cand.id,
            round=rnd.id,
            round_no=round_no,
            step=step.id,
            tier=cand.tier,
            starts=start.isoformat(),
        )
        invitation = ctx.invitation_for(
            step,
            summary=f"Sollicitatiegesprek {rnd.function} (ronde {round_no})",
            description=f"Sollicitatiegesprek voor de functie {rnd.function}, team {rnd.team}.",
            location=cfg.interview_location,
            attendees=(candidate_recipient(cand), *(ctx.recipient(m) for m in members)),
        )
        talk = {
            "start": local(start),
            "einde": local(end),
            "locatie": cfg.interview_location,
            "ronde": round_no,
            "panel": [m.full_name for m in members],
        }
        links = {
            name: link_url(
                ctx,
                action=action,
                subject_id=cand.id,
                case_type=CANDIDATE_CASE,
                case_id=cand.id,
                step_id=step.id,
            )
            for name, action in (("accept", ACCEPT), ("decline", DECLINE))
        }
        mail_candidate(
            ctx,
            rnd,
            cand,
            key=f"rec.uitnodiging:{cand.id}:{round_no}",
            template="rec_uitnodiging",
            extra={**talk, "links": links},
            invitation=invitation,
        )
        for member in members:
            mail_staff(
                ctx,
                rnd,
                member,
                key=f"rec.panel:{cand.id}:{round_no}",
                template="rec_uitnodiging_panel",
                extra={**talk, "kandidaat": cand.full_name, "tier": TIER_NL[Tier(cand.tier)]},
                case_type=CANDIDATE_CASE,
                case_id=cand.id,
                invitation=invitation,
            )
        steps.append(step)
    return steps


def _describe(ctx: Context, link: ActionLink) -> str:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.starts_at is None:
        return "Dit gesprek is niet (meer) bekend."
    when = local(step.starts_at).strftime("%d-%m-%Y om %H:%M")
    verb = "bevestigen" if link.action == ACCEPT else "afzeggen"
    return f"U staat op het punt uw {step.title.lower()} op {when} uur te {verb}."


def _respond(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    cand = ctx.session.get(Candidate, link.case_id)
    if step is None or cand is None or step.case_id != cand.id or link.subject_id != cand.id:
        raise ActionRefused("Dit gesprek is niet (meer) bekend bij de gemeente.")
    if cand.state.final:
        raise ActionRefused("Uw sollicitatie is afgerond; dit gesprek gaat niet meer door.")
    answer = "accepted" if link.action == ACCEPT else "declined"
    step.data = {**step.data, "response": answer}
    ctx.audit("candidate.responded", CANDIDATE_CASE, cand.id, step=step.id, response=answer)
    if answer == "declined":
        rnd = get_round(ctx.session, cand.round_id)
        mail_staff(
            ctx,
            rnd,
            None,
            key=f"rec.afgezegd:{cand.id}:{step.id}",
            template="rec_afgezegd",
            extra={"candidate_id": cand.id, "start": local(step.starts_at)},
        )
        return "Jammer dat het niet lukt. We hebben P&O gevraagd contact met u op te nemen."
    return "Dank u wel, we zien u graag op het gesprek!"


LINK_ACTIONS = tuple(
    LinkAction(
        name=name,
        title=title,
        describe=_describe,
        perform=_respond,
        button=title,
        expires_days=30,
    )
    for name, title in ((ACCEPT, "Ik kom naar het gesprek"), (DECLINE, "Ik kan niet komen"))
)
