"""From decision to hire (REC-8..10): the offer P&O, the MT-lid and a colleague decide on, the
four-eyes terms talk, and the hire that follows the aanstellingsadvies."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from poflow._exceptions import RecruitmentRefused
from poflow.approvals.requests import DECIDE, request_approval
from poflow.db.models import Hire
from poflow.engine import Context
from poflow.kernel.foureyes import Outcome
from poflow.kernel.vocabulary import CaseType
from poflow.link_tokens import revoke_links
from poflow.recruitment.candidates import candidates_of
from poflow.recruitment.contract import contract_drawn_up, write_contract_task
from poflow.recruitment.documents import ADVICE, write_advice
from poflow.recruitment.gates import DECISION, TERMS, decision_subject, gate, terms_subject
from poflow.recruitment.mails import mail_candidate
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundDocument
from poflow.recruitment.rounds import close_candidate, get_round, move_round, signal_flow
from poflow.recruitment.rules import DECISION_ROLES, TERMS_ROLES, check_contract_terms
from poflow.recruitment.states import (
    CandidateState,
    RoundState,
    check_candidate_move,
    leaving_state,
)
from poflow.staff.rules import mailbox_key
from poflow.states import HireState

__all__ = [
    "apply_decision_outcome",
    "apply_terms_outcome",
    "create_hire",
    "propose_offer",
    "record_terms",
]


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
        subject_id=decision_subject(ctx.session, rnd),
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
    result = gate(ctx.session, DECISION, decision_subject(ctx.session, rnd))
    cand = _offered(ctx, rnd)
    if result is Outcome.APPROVED:
        check_candidate_move(cand.id, cand.state, CandidateState.OFFERED)
        cand.state = CandidateState.OFFERED
        ctx.audit("candidate.moved", CaseType.CANDIDATE, cand.id, to_state=cand.state.value)
        move_round(ctx, rnd, RoundState.TERMS, candidate=cand.id)
        mail_candidate(
            ctx,
            rnd,
            cand,
            key=f"rec.aanbod:{cand.id}",
            template="recruitment/rec_aanbod",
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
    check_contract_terms(contract_type, contract_months)
    for pid in (rnd.leidinggevende_id, rnd.po_id, rnd.mt_lid_id):
        if pid and mailbox_key(ctx.person(pid).email) == mailbox_key(work_email):
            raise RecruitmentRefused(
                f"Cannot record terms in round {rnd.id}: the work email is the mailbox of "
                f"{pid}, who decides about this hire; the new colleague needs their own."
            )
    if rnd.terms_version and gate(ctx.session, TERMS, terms_subject(rnd)) is not Outcome.PENDING:
        raise RecruitmentRefused(
            f"Cannot change the terms of round {rnd.id}: they were already decided on."
        )
    if rnd.terms_version:
        # The old version's links now ask about terms that no longer hold (REC-9).
        revoked = revoke_links(
            ctx.session,
            case_type=TERMS,
            case_id=terms_subject(rnd),
            action=DECIDE,
            reason="new_terms",
        )
        ctx.audit("round.terms_replaced", CaseType.ROUND, rnd.id, revoked_links=revoked)
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
        CaseType.ROUND,
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
    """Both agreed (four eyes): the aanstellingsadvies goes to the college B&W and P&O gets the
    task to draw up the contract (REC-10)."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.TERMS or not rnd.terms_version:
        return rnd.state
    result = gate(ctx.session, TERMS, terms_subject(rnd))
    cand = _offered(ctx, rnd)
    if result is Outcome.APPROVED:
        write_advice(ctx, rnd, cand)
        write_contract_task(ctx, rnd, cand)
        move_round(ctx, rnd, RoundState.ADVICE, candidate=cand.id)
    elif result is Outcome.REJECTED:
        close_candidate(ctx, rnd, cand, CandidateState.REJECTED, "geen_overeenstemming")
        rnd.offer_candidate_id = None
        move_round(ctx, rnd, RoundState.ROUND_TWO, because="terms_rejected")
    return rnd.state


def create_hire(ctx: Context, round_id: str) -> str | None:
    """Once the advice went out and P&O drew up the contract, the candidate becomes a Hire and
    onboarding starts by itself (REC-10)."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.ADVICE:
        return rnd.hire_id
    advice = ctx.session.scalar(
        select(RoundDocument).where(
            RoundDocument.round_id == rnd.id,
            RoundDocument.kind == ADVICE,
            RoundDocument.sent_at.is_not(None),
        )
    )
    if advice is None:  # the college B&W hears first (REC-10)
        return None
    if not contract_drawn_up(ctx, rnd):  # and P&O has drawn up the contract (REC-10)
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
    ctx.audit("hire.created", CaseType.HIRE, hire.id, round=rnd.id, candidate=cand.id)
    check_candidate_move(cand.id, cand.state, CandidateState.HIRED)
    cand.state, cand.hire_id, cand.decided_on = CandidateState.HIRED, hire.id, ctx.day
    rnd.hire_id = hire.id
    move_round(ctx, rnd, RoundState.FILLED, hire=hire.id)
    for other in candidates_of(ctx, rnd):
        if not other.state.final:
            target = leaving_state(other.state)
            reason = "teruggetrokken" if target is CandidateState.WITHDRAWN else "andere_kandidaat"
            close_candidate(ctx, rnd, other, target, reason)
    return hire.id
