"""Decision, the four-eyes terms talk, the aanstellingsadvies and the hire (REC-8..10, REC-12)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from poflow._exceptions import RecruitmentRefused
from poflow.approvals.requests import request_approval
from poflow.db.models import Action, Hire
from poflow.engine import Context, Handler
from poflow.importer import CONTRACT_TYPES
from poflow.kernel.foureyes import Outcome
from poflow.mail.outbox import Recipient
from poflow.recruitment.candidates import candidates_of
from poflow.recruitment.documents import write_advice
from poflow.recruitment.mails import mail_candidate, mail_staff, section
from poflow.recruitment.models import (
    Candidate,
    RecruitmentRound,
    RoundDocument,
    RoundTransition,
)
from poflow.recruitment.rounds import close_candidate, gate, get_round, move_round, signal_flow
from poflow.recruitment.rules import (
    DECISION_ROLES,
    TERMS_ROLES,
    CandidateState,
    RoundState,
    check_candidate_move,
    referral_notice_day,
)
from poflow.states import HireState

__all__ = [
    "DECISION",
    "REFERRAL",
    "TERMS",
    "apply_decision_outcome",
    "apply_terms_outcome",
    "create_hire",
    "decision_subject",
    "propose_offer",
    "record_terms",
    "terms_subject",
]

DECISION, TERMS = "rec_offer", "rec_terms"  # approval subject types
REFERRAL = "rec.referral_bonus"


def _entries(ctx: Context, rnd: RecruitmentRound, state: RoundState) -> int:
    return (
        ctx.session.scalar(
            select(func.count())
            .select_from(RoundTransition)
            .where(RoundTransition.round_id == rnd.id, RoundTransition.to_state == state.value)
        )
        or 0
    )


def decision_subject(ctx: Context, rnd: RecruitmentRound) -> str:
    """Approval subject of the current decision: the candidate and the attempt number."""
    return f"{rnd.offer_candidate_id}:d{_entries(ctx, rnd, RoundState.DECISION)}"


def terms_subject(rnd: RecruitmentRound) -> str:
    """Approval subject of the current terms: the candidate and the terms version."""
    return f"{rnd.offer_candidate_id}:t{rnd.terms_version}"


def _offered(ctx: Context, rnd: RecruitmentRound) -> Candidate:
    cand = ctx.session.get(Candidate, rnd.offer_candidate_id or "")
    if cand is None:
        raise RecruitmentRefused(f"Round {rnd.id} has no candidate under decision.")
    return cand


def propose_offer(ctx: Context, round_id: str, candidate_id: str, *, by: str) -> None:
    """P&O proposes; P&O, the MT-lid and the direct colleague must all agree (REC-8)."""
    rnd = get_round(ctx.session, round_id)
    cand = ctx.session.get(Candidate, candidate_id)
    if by != rnd.po_id:
        raise RecruitmentRefused(
            f"Cannot propose an offer in round {rnd.id} as {by}: its P&O adviser {rnd.po_id} does."
        )
    if cand is None or cand.round_id != rnd.id or cand.state is not CandidateState.ROUND_TWO:
        raise RecruitmentRefused(
            f"Cannot propose {candidate_id} in round {rnd.id}: only a "
            "candidate of the second interview round can get an offer."
        )
    if rnd.colleague_id is None:
        raise RecruitmentRefused(
            f"Cannot decide in round {rnd.id}: the decision needs a "
            "direct colleague, and the round has none."
        )
    rnd.offer_candidate_id = cand.id
    move_round(ctx, rnd, RoundState.DECISION, candidate=cand.id)
    request_approval(
        ctx,
        subject_type=DECISION,
        subject_id=decision_subject(ctx, rnd),
        required=dict(
            zip(DECISION_ROLES, (rnd.po_id, rnd.mt_lid_id, rnd.colleague_id), strict=True)
        ),
        title=f"Besluit na de tweede gespreksronde {rnd.function}: aanbod aan {cand.full_name}?",
    )


def apply_decision_outcome(ctx: Context, round_id: str) -> RoundState:
    """All three agreed: offer mail to the candidate, terms talk next; else choose again."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.DECISION:
        return rnd.state
    result = gate(ctx.session, DECISION, decision_subject(ctx, rnd))
    cand = _offered(ctx, rnd)
    if result is Outcome.APPROVED:
        check_candidate_move(cand.id, cand.state, CandidateState.OFFERED)
        cand.state = CandidateState.OFFERED
        ctx.audit("candidate.moved", "candidate", cand.id, to_state=cand.state.value)
        move_round(ctx, rnd, RoundState.TERMS, candidate=cand.id)
        mail_candidate(
            ctx,
            rnd,
            cand,
            key=f"rec.aanbod:{cand.id}",
            template="rec_aanbod",
            extra={"leidinggevende": ctx.person(rnd.leidinggevende_id).full_name},
        )
    elif result is Outcome.REJECTED:
        rnd.offer_candidate_id = None
        move_round(ctx, rnd, RoundState.ROUND_TWO, because="decision_rejected")
    return rnd.state


def record_terms(
    ctx: Context,
    round_id: str,
    *,
    by: str,
    start_date: date,
    contract_type: str,
    contract_months: int | None,
    work_email: str,
) -> str:
    """P&O records the agreed terms; the leidinggevende and P&O each confirm them (REC-9)."""
    rnd = get_round(ctx.session, round_id)
    if by != rnd.po_id:
        raise RecruitmentRefused(
            f"Cannot record terms in round {rnd.id} as {by}: its P&O adviser {rnd.po_id} does."
        )
    if rnd.state is not RoundState.TERMS:
        raise RecruitmentRefused(
            f"Cannot record terms in round {rnd.id}: it is "
            f"{rnd.state.value!r}, not waiting for the terms talk."
        )
    if contract_type not in CONTRACT_TYPES or (contract_type != "vast") != bool(contract_months):
        raise RecruitmentRefused(
            f"Cannot record terms {contract_type}/{contract_months}: a "
            "'vast' contract has no months, every other type has them."
        )
    if rnd.terms_version and gate(ctx.session, TERMS, terms_subject(rnd)) is not Outcome.PENDING:
        raise RecruitmentRefused(
            f"Cannot change the terms of round {rnd.id}: they were already decided on."
        )
    rnd.terms_version += 1
    rnd.terms = {
        "start_date": start_date.isoformat(),
        "contract_type": contract_type,
        "contract_months": contract_months,
        "work_email": work_email,
    }
    cand = _offered(ctx, rnd)
    duration = f" {contract_months} maanden" if contract_months else ""
    ctx.audit(
        "round.terms",
        "round",
        rnd.id,
        version=rnd.terms_version,
        contract=contract_type,
        start=start_date.isoformat(),
    )
    subject = terms_subject(rnd)
    request_approval(
        ctx,
        subject_type=TERMS,
        subject_id=subject,
        required=dict(zip(TERMS_ROLES, (rnd.leidinggevende_id, rnd.po_id), strict=True)),
        title=f"Arbeidsvoorwaardengesprek {cand.full_name}, {rnd.function}: "
        f"{contract_type}{duration}"
        f", start {start_date.isoformat()} (versie {rnd.terms_version})",
    )
    signal_flow(ctx, rnd)
    return subject


def apply_terms_outcome(ctx: Context, round_id: str) -> RoundState:
    """Both agreed (four eyes): the aanstellingsadvies goes to the college B&W (REC-10)."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.TERMS or not rnd.terms_version:
        return rnd.state
    result = gate(ctx.session, TERMS, terms_subject(rnd))
    cand = _offered(ctx, rnd)
    if result is Outcome.APPROVED:
        write_advice(ctx, rnd, cand)
        move_round(ctx, rnd, RoundState.ADVICE, candidate=cand.id)
    elif result is Outcome.REJECTED:
        close_candidate(ctx, rnd, cand, CandidateState.REJECTED, "geen_overeenstemming")
        rnd.offer_candidate_id = None
        move_round(ctx, rnd, RoundState.ROUND_TWO, because="terms_rejected")
    return rnd.state


def create_hire(ctx: Context, round_id: str) -> str | None:
    """Once the advice went out, the candidate becomes a Hire and onboarding starts by itself."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.ADVICE:
        return rnd.hire_id
    advice = ctx.session.scalar(
        select(RoundDocument).where(
            RoundDocument.round_id == rnd.id,
            RoundDocument.kind == "aanstellingsadvies",
            RoundDocument.sent_at.is_not(None),
        )
    )
    if advice is None:  # the college B&W hears first (REC-10)
        return None
    cand = _offered(ctx, rnd)
    terms = rnd.terms
    start = date.fromisoformat(terms["start_date"])
    hire = Hire(
        id=f"NH-{rnd.id}",
        municipality=rnd.municipality,
        given_name=cand.given_name,
        family_name=cand.family_name,
        private_email=cand.email,
        work_email=terms["work_email"],
        team=rnd.team,
        function=rnd.function,
        manager_id=rnd.leidinggevende_id,
        buddy_id=None,
        contract_type=terms["contract_type"],
        contract_months=terms["contract_months"],
        start_date=start,
        first_working_day=ctx.calendar.first_working_day(start),
        state=HireState.PLANNED,
        version=1,
        planned_version=0,
    )
    ctx.session.add(hire)
    ctx.session.flush()
    ctx.audit("hire.created", "hire", hire.id, round=rnd.id, candidate=cand.id)
    check_candidate_move(cand.id, cand.state, CandidateState.HIRED)
    cand.state, cand.hire_id, cand.decided_on = CandidateState.HIRED, hire.id, ctx.day
    rnd.hire_id = hire.id
    move_round(ctx, rnd, RoundState.FILLED, hire=hire.id)
    for other in candidates_of(ctx, rnd):
        if other.state is CandidateState.PROSPECT:
            close_candidate(ctx, rnd, other, CandidateState.WITHDRAWN, "teruggetrokken")
        elif not other.state.final:
            close_candidate(ctx, rnd, other, CandidateState.REJECTED, "andere_kandidaat")
    return hire.id


def plan_referral_bonus(ctx: Context, hire: Hire) -> None:
    """A hire someone referred: tell the salary administration once in service (REC-12)."""
    cand = ctx.session.scalar(select(Candidate).where(Candidate.hire_id == hire.id))
    if cand is None or cand.referred_by_id is None:
        return
    due = referral_notice_day(
        hire.first_working_day, section(ctx).referral_waiting_days, ctx.calendar
    )
    ctx.schedule(
        case_type="hire",
        case_id=hire.id,
        kind=REFERRAL,
        key=f"{REFERRAL}:{hire.id}:{due.isoformat()}",
        due=due,
    )


def notify_referral_bonus(ctx: Context, action: Action) -> bool:
    """Mail the salary administration: EUR 250 net (configurable) for the referrer (REC-12)."""
    hire = ctx.session.get(Hire, action.case_id)
    cand = ctx.session.scalar(select(Candidate).where(Candidate.hire_id == action.case_id))
    if (
        hire is None
        or cand is None
        or cand.referred_by_id is None
        or hire.state is HireState.CANCELLED
        or ctx.day < hire.first_working_day
    ):
        return False
    cfg, rnd = section(ctx), get_round(ctx.session, cand.round_id)
    admin = Recipient(None, "Salarisadministratie", str(ctx.config.municipality.salary_admin_email))
    referrer = ctx.person(cand.referred_by_id)
    ctx.mail(
        key=f"{REFERRAL}:{hire.id}",
        template="rec_referral_bonus",
        to=admin,
        context={
            "functie": rnd.function,
            "team": rnd.team,
            "round_id": rnd.id,
            "medewerker": referrer.full_name,
            "medewerker_id": referrer.id,
            "nieuwe_collega": hire.full_name,
            "hire_id": hire.id,
            "in_dienst": hire.first_working_day,
            "bedrag": cfg.referral_bonus_eur,
            "netto": cfg.referral_bonus_net,
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    ctx.audit(
        "referral.notified", "hire", hire.id, referrer=referrer.id, amount=cfg.referral_bonus_eur
    )
    mail_staff(
        ctx,
        rnd,
        referrer,
        key=f"rec.referral_dank:{hire.id}",
        template="rec_referral_dank",
        extra={"bedrag": cfg.referral_bonus_eur, "nieuwe_collega": hire.full_name},
        case_type="hire",
        case_id=hire.id,
    )
    return True


# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    REFERRAL: notify_referral_bonus,
}
