"""The round itself (REC-1, REC-2, REC-11): opening it from a wervingsbehoefte, its moves
(checked, kept in its history, audited, waking its flow run) and withdrawing it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow._exceptions import NotFound, RecruitmentRefused
from poflow.approvals.decisions import roles_of
from poflow.approvals.requests import request_approval
from poflow.engine import Context
from poflow.kernel.foureyes import Outcome
from poflow.kernel.vocabulary import CaseType, Role
from poflow.recruitment.gates import FORMATION
from poflow.recruitment.mails import mail_rejection, mail_staff, section
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundTransition
from poflow.recruitment.rules import FORMATION_ROLES, check_different_people, check_fte
from poflow.recruitment.states import (
    CandidateState,
    RoundState,
    check_candidate_move,
    check_round_move,
    leaving_state,
)
from poflow.resume import resume_after_commit

__all__ = [
    "FLOW_ACTOR",
    "ask_for_text",
    "attach_flow_run",
    "cancel_round",
    "close_candidate",
    "get_round",
    "move_round",
    "open_round",
    "require_role",
    "signal_flow",
]

FLOW_ACTOR = "flow"  # the actor of the round flow's own tasks


def get_round(session: Session, round_id: str) -> RecruitmentRound:
    """The round with this id, or NotFound."""
    rnd = session.get(RecruitmentRound, round_id)
    if rnd is None:
        raise NotFound(f"Recruitment round {round_id} does not exist")
    return rnd


def require_role(ctx: Context, person_id: str, role: str, purpose: str) -> None:
    """RecruitmentRefused unless `person_id` holds `role` in this municipality."""
    if role not in roles_of(ctx.session, person_id, ctx.municipality):
        raise RecruitmentRefused(
            f"Cannot {purpose}: person {person_id} is not registered as "
            f"{role} in {ctx.municipality}."
        )


def move_round(ctx: Context, rnd: RecruitmentRound, target: RoundState, **detail: object) -> None:
    """Move the round (checked), keep its history, audit it and wake its waiting flow run."""
    check_round_move(rnd.id, rnd.state, target)
    ctx.session.add(
        RoundTransition(
            round_id=rnd.id, from_state=rnd.state.value, to_state=target.value, actor=ctx.actor
        )
    )
    ctx.audit(
        "round.moved",
        CaseType.ROUND,
        rnd.id,
        from_state=rnd.state.value,
        to_state=target.value,
        **detail,
    )
    rnd.state = target
    if target.final:
        rnd.closed_on = ctx.day
    signal_flow(ctx, rnd)


def signal_flow(ctx: Context, rnd: RecruitmentRound) -> None:
    """Wake the round's waiting flow run after the commit (not when the flow itself acts)."""
    if rnd.flow_run_id and ctx.actor != FLOW_ACTOR:
        # The input is not read: the resumed run re-reads the round (flows/waits.py).
        resume_after_commit(
            ctx.session,
            rnd.flow_run_id,
            {"outcome": Outcome.PENDING.value, "state": rnd.state.value},
            wait_s=30,
        )


def attach_flow_run(session: Session, round_id: str, flow_run_id: str) -> str:
    """Remember which flow run drives the round (so steps can wake it); its municipality."""
    rnd = get_round(session, round_id)
    rnd.flow_run_id = flow_run_id
    return rnd.municipality


def close_candidate(
    ctx: Context,
    rnd: RecruitmentRound,
    candidate: Candidate,
    target: CandidateState,
    reason: str | None = None,
) -> None:
    """Move a candidate to a final state; a rejection mails them kindly (REC-11)."""
    check_candidate_move(candidate.id, candidate.state, target)
    ctx.audit(
        "candidate.moved",
        CaseType.CANDIDATE,
        candidate.id,
        round=rnd.id,
        from_state=candidate.state.value,
        to_state=target.value,
        reason=reason,
    )
    candidate.state = target
    candidate.reason = reason
    candidate.decided_on = ctx.day
    if target is CandidateState.REJECTED:
        mail_rejection(ctx, rnd, candidate)


def _new_round_id(session: Session, year: int) -> str:
    prefix = f"WR-{year}-"
    count = (
        session.scalar(
            select(func.count())
            .select_from(RecruitmentRound)
            .where(RecruitmentRound.id.like(f"{prefix}%"))
        )
        or 0
    )
    return f"{prefix}{count + 1:04d}"


def _only_holder(ctx: Context, role: str) -> str:
    people = ctx.people_with_role(role)
    if not people:
        raise RecruitmentRefused(
            f"Cannot open a round with a formation change: nobody is "
            f"registered as {role} in {ctx.municipality}."
        )
    return people[0].id


def open_round(
    ctx: Context,
    *,
    team: str,
    function: str,
    fte: float,
    formation_change: bool,
    po_id: str,
    mt_lid_id: str,
    leidinggevende_id: str,
    colleague_id: str | None = None,
    recruiter_id: str | None = None,
    gemeentesecretaris_id: str | None = None,
    or_id: str | None = None,
    internal_window_days: int | None = None,
) -> RecruitmentRound:
    """Register a wervingsbehoefte (REC-1); a formation change first asks both GS and OR (REC-2)."""
    check_fte(fte)
    require_role(ctx, po_id, Role.PO_ADVISEUR, "open a round with this P&O adviser")
    require_role(ctx, mt_lid_id, Role.MT_LID, "open a round with this MT-lid")
    require_role(ctx, leidinggevende_id, Role.LEIDINGGEVENDE, "open a round with this manager")
    if colleague_id is not None:
        require_role(ctx, colleague_id, Role.MEDEWERKER, "open a round with this colleague")
        if ctx.person(colleague_id).team != team:
            raise RecruitmentRefused(
                f"Cannot open a round for team {team!r} with colleague "
                f"{colleague_id}: a panel colleague comes from the team."
            )
    if recruiter_id is not None:
        require_role(ctx, recruiter_id, Role.RECRUITER, "open a round with this recruiter")
    formation: dict[str, str] = {}
    if formation_change:
        gemeentesecretaris_id = gemeentesecretaris_id or _only_holder(ctx, Role.GEMEENTESECRETARIS)
        or_id = or_id or _only_holder(ctx, Role.OR_LID)
        formation = dict(zip(FORMATION_ROLES, (gemeentesecretaris_id, or_id), strict=True))
    check_different_people(
        (
            (leidinggevende_id, po_id, "leidinggevende and P&O (REC-9)"),
            (mt_lid_id, po_id, "MT-lid and P&O (REC-3)"),
            (gemeentesecretaris_id, or_id, "gemeentesecretaris and OR (REC-2)"),
        )
    )
    window = internal_window_days or section(ctx).internal_window_days
    state = RoundState.FORMATION_REVIEW if formation_change else RoundState.DRAFTING
    rnd = RecruitmentRound(
        id=_new_round_id(ctx.session, ctx.day.year),
        municipality=ctx.municipality,
        team=team,
        function=function,
        fte=fte,
        formation_change=formation_change,
        internal_window_days=window,
        po_id=po_id,
        mt_lid_id=mt_lid_id,
        leidinggevende_id=leidinggevende_id,
        colleague_id=colleague_id,
        recruiter_id=recruiter_id,
        gemeentesecretaris_id=gemeentesecretaris_id,
        or_id=or_id,
        state=state,
        vacancy_version=0,
        terms_version=0,
        terms={},
    )
    ctx.session.add(rnd)
    ctx.session.flush()
    ctx.session.add(
        RoundTransition(round_id=rnd.id, from_state=None, to_state=state.value, actor=ctx.actor)
    )
    ctx.audit(
        "round.opened",
        CaseType.ROUND,
        rnd.id,
        state=state.value,
        formation_change=formation_change,
        window_days=window,
    )
    if formation_change:
        request_approval(
            ctx,
            subject_type=FORMATION,
            subject_id=rnd.id,
            required=formation,
            title=f"Voorstel formatiewijziging: {rnd.function}, team {rnd.team}, "
            f"{rnd.fte:.2f} fte (wervingsronde {rnd.id})".replace(".", ",", 1),
        )
    else:
        ask_for_text(ctx, rnd)
    return rnd


def ask_for_text(ctx: Context, rnd: RecruitmentRound) -> None:
    """Ask the round's P&O adviser for (a new version of) the vacancy text (REC-3)."""
    mail_staff(
        ctx,
        rnd,
        ctx.person(rnd.po_id),
        key=f"rec.tekst:{rnd.id}:v{rnd.vacancy_version}",
        template="recruitment/rec_tekst_opstellen",
        extra={"versie": rnd.vacancy_version, "opnieuw": rnd.vacancy_version > 0},
    )


def cancel_round(ctx: Context, round_id: str, *, by: str, note: str | None = None) -> None:
    """P&O withdraws the vacancy: open candidates hear it kindly (REC-11)."""
    rnd = get_round(ctx.session, round_id)
    if by != rnd.po_id:
        raise RecruitmentRefused(
            f"Cannot cancel round {rnd.id} as {by}: only its P&O adviser {rnd.po_id} can."
        )
    rnd.close_reason, rnd.close_note = "ingetrokken", note
    move_round(ctx, rnd, RoundState.CANCELLED, because="withdrawn")
    for cand in ctx.session.scalars(select(Candidate).where(Candidate.round_id == rnd.id)):
        if not cand.state.final:
            close_candidate(ctx, rnd, cand, leaving_state(cand.state), "ronde_vervallen")
