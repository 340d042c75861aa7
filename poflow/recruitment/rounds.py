"""Opening a round, the formation gate, the vacancy text and its publication (REC-1..4)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poflow._exceptions import NotFound, RecruitmentRefused
from poflow.approvals.decisions import recorded_decisions
from poflow.approvals.models import Approval, ApprovalRequest
from poflow.approvals.requests import request_approval
from poflow.db.models import Action, PersonRole
from poflow.engine import Context, Handler
from poflow.kernel.foureyes import Outcome
from poflow.recruitment.mails import ROUND_CASE, mail_rejection, mail_staff, section
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundTransition
from poflow.recruitment.rules import (
    FORMATION_ROLES,
    VACANCY_ROLES,
    CandidateState,
    RoundState,
    check_candidate_move,
    check_round_move,
    gate_outcome,
)
from poflow.resume import resume_after_commit

__all__ = [
    "FORMATION",
    "PUBLISH_EXTERNAL",
    "VACANCY",
    "apply_formation_outcome",
    "apply_vacancy_outcome",
    "cancel_round",
    "close_candidate",
    "draft_vacancy",
    "gate",
    "get_round",
    "move_round",
    "open_round",
    "require_role",
    "signal_flow",
]

FORMATION, VACANCY = "rec_formation", "rec_vacancy"  # approval subject types
PUBLISH_EXTERNAL = "rec.publish_external"
FLOW_ACTOR = "flow"  # the actor of the round flow's own tasks


def get_round(session: Session, round_id: str) -> RecruitmentRound:
    """The round with this id, or NotFound."""
    rnd = session.get(RecruitmentRound, round_id)
    if rnd is None:
        raise NotFound(f"Recruitment round {round_id} does not exist")
    return rnd


def gate(session: Session, subject_type: str, subject_id: str) -> Outcome:
    """The outcome of an approval asked by this round, counting only the people asked."""
    request = session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.subject_type == subject_type, ApprovalRequest.subject_id == subject_id
        )
    )
    if request is None:
        raise NotFound(f"No approval was requested for {subject_type} {subject_id}")
    decisions = recorded_decisions(session, subject_type, subject_id)
    return Outcome(
        gate_outcome(dict(request.required), ((d.role, d.person_id, d.approve) for d in decisions))
    )


def require_role(ctx: Context, person_id: str, role: str, purpose: str) -> None:
    """RecruitmentRefused unless `person_id` holds `role` in this municipality."""
    held = ctx.session.scalar(
        select(PersonRole.id).where(
            PersonRole.person_id == person_id,
            PersonRole.role == role,
            PersonRole.municipality == ctx.municipality,
        )
    )
    if held is None:
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
        ROUND_CASE,
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
        # Valid for both waits of the flow (a stage wait and await_four_eyes, which re-reads).
        resume_after_commit(
            ctx.session,
            rnd.flow_run_id,
            {"outcome": Outcome.PENDING.value, "state": rnd.state.value},
            wait_s=30,
        )


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
        "candidate",
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
    if not 0 < fte <= 40:
        raise RecruitmentRefused(f"Cannot open a round for {fte} fte: expected more than 0.")
    require_role(ctx, po_id, "po_adviseur", "open a round with this P&O adviser")
    require_role(ctx, mt_lid_id, "mt_lid", "open a round with this MT-lid")
    require_role(ctx, leidinggevende_id, "leidinggevende", "open a round with this manager")
    if colleague_id is not None:
        require_role(ctx, colleague_id, "medewerker", "open a round with this colleague")
        if ctx.person(colleague_id).team != team:
            raise RecruitmentRefused(
                f"Cannot open a round for team {team!r} with colleague "
                f"{colleague_id}: a panel colleague comes from the team."
            )
    if recruiter_id is not None:
        require_role(ctx, recruiter_id, "recruiter", "open a round with this recruiter")
    if formation_change:
        gemeentesecretaris_id = gemeentesecretaris_id or _only_holder(ctx, "gemeentesecretaris")
        or_id = or_id or _only_holder(ctx, "or_lid")
    for pair, what in (
        ((leidinggevende_id, po_id), "leidinggevende and P&O (REC-9)"),
        ((mt_lid_id, po_id), "MT-lid and P&O (REC-3)"),
        ((gemeentesecretaris_id, or_id), "gemeentesecretaris and OR (REC-2)"),
    ):
        if pair[0] is not None and pair[0] == pair[1]:
            raise RecruitmentRefused(
                f"Cannot open a round with {pair[0]} as both {what}: "
                "these decisions need two different people."
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
        ROUND_CASE,
        rnd.id,
        state=state.value,
        formation_change=formation_change,
        window_days=window,
    )
    if formation_change:
        assert gemeentesecretaris_id is not None
        assert or_id is not None
        request_approval(
            ctx,
            subject_type=FORMATION,
            subject_id=rnd.id,
            required=dict(zip(FORMATION_ROLES, (gemeentesecretaris_id, or_id), strict=True)),
            title=f"Voorstel formatiewijziging: {rnd.function}, team {rnd.team}, "
            f"{rnd.fte:.2f} fte (wervingsronde {rnd.id})".replace(".", ",", 1),
        )
    else:
        _ask_for_text(ctx, rnd)
    return rnd


def _ask_for_text(ctx: Context, rnd: RecruitmentRound) -> None:
    mail_staff(
        ctx,
        rnd,
        ctx.person(rnd.po_id),
        key=f"rec.tekst:{rnd.id}:v{rnd.vacancy_version}",
        template="rec_tekst_opstellen",
        extra={"versie": rnd.vacancy_version, "opnieuw": rnd.vacancy_version > 0},
    )


def _rejection_note(ctx: Context, subject_type: str, subject_id: str) -> str | None:
    row = ctx.session.scalar(
        select(Approval).where(
            Approval.subject_type == subject_type,
            Approval.subject_id == subject_id,
            Approval.approve.is_(False),
        )
    )
    return row.reason if row is not None else None


def apply_formation_outcome(ctx: Context, round_id: str) -> RoundState:
    """Go on when GS and OR both agreed; either's rejection ends the round with its reason."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.FORMATION_REVIEW:
        return rnd.state
    result = gate(ctx.session, FORMATION, rnd.id)
    if result is Outcome.APPROVED:
        move_round(ctx, rnd, RoundState.DRAFTING, because="formation_approved")
        _ask_for_text(ctx, rnd)
    elif result is Outcome.REJECTED:
        rnd.close_reason = "formatie_afgewezen"
        rnd.close_note = _rejection_note(ctx, FORMATION, rnd.id)
        move_round(ctx, rnd, RoundState.CANCELLED, because="formation_rejected")
        for person_id in (rnd.po_id, rnd.mt_lid_id):
            mail_staff(
                ctx,
                rnd,
                ctx.person(person_id),
                key=f"rec.formatie_af:{rnd.id}",
                template="rec_ronde_afgewezen",
                extra={"toelichting": rnd.close_note},
            )
    return rnd.state


def vacancy_subject(rnd: RecruitmentRound) -> str:
    """The approval subject id of the round's current vacancy text."""
    return f"{rnd.id}:v{rnd.vacancy_version}"


def draft_vacancy(ctx: Context, round_id: str, text: str, *, by: str) -> RecruitmentRound:
    """P&O drafts the text; P&O and the MT-lid both confirm it by their own link (REC-3)."""
    rnd = get_round(ctx.session, round_id)
    if by != rnd.po_id:
        raise RecruitmentRefused(
            f"Cannot draft the vacancy text of round {rnd.id} as {by}: "
            f"P&O adviser {rnd.po_id} of the round drafts it."
        )
    if len(text.strip()) < 20:
        raise RecruitmentRefused(
            f"Cannot draft the vacancy text of round {rnd.id}: it is shorter than 20 characters."
        )
    move_round(ctx, rnd, RoundState.TEXT_REVIEW)
    rnd.vacancy_version += 1
    rnd.vacancy_text = text.strip()
    request_approval(
        ctx,
        subject_type=VACANCY,
        subject_id=vacancy_subject(rnd),
        required=dict(zip(VACANCY_ROLES, (rnd.po_id, rnd.mt_lid_id), strict=True)),
        title=f"Vacaturetekst {rnd.function}, team {rnd.team} (versie "
        f"{rnd.vacancy_version}, wervingsronde {rnd.id})",
    )
    for person_id in (rnd.po_id, rnd.mt_lid_id):
        mail_staff(
            ctx,
            rnd,
            ctx.person(person_id),
            key=f"rec.tekst_lezen:{rnd.id}:v{rnd.vacancy_version}",
            template="rec_tekst_bevestigen",
            extra={"tekst": rnd.vacancy_text, "versie": rnd.vacancy_version},
        )
    return rnd


def apply_vacancy_outcome(ctx: Context, round_id: str) -> RoundState:
    """Both confirmed: publish internally now and externally after the window (REC-3, REC-4)."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.TEXT_REVIEW:
        return rnd.state
    result = gate(ctx.session, VACANCY, vacancy_subject(rnd))
    if result is Outcome.REJECTED:
        move_round(ctx, rnd, RoundState.DRAFTING, because="text_rejected")
        _ask_for_text(ctx, rnd)
    elif result is Outcome.APPROVED:
        rnd.internal_from = ctx.day
        rnd.external_from = ctx.calendar.next_working_day(
            ctx.day + timedelta(days=rnd.internal_window_days)
        )
        move_round(ctx, rnd, RoundState.INTERNAL, external_from=rnd.external_from.isoformat())
        ctx.schedule(
            case_type=ROUND_CASE,
            case_id=rnd.id,
            kind=PUBLISH_EXTERNAL,
            key=f"{PUBLISH_EXTERNAL}:{rnd.id}",
            due=rnd.external_from,
        )
        mail_staff(
            ctx,
            rnd,
            ctx.person(rnd.po_id),
            key=f"rec.intern:{rnd.id}",
            template="rec_publicatie",
            extra={"extern": False, "tekst": rnd.vacancy_text, "extern_vanaf": rnd.external_from},
        )
    return rnd.state


def publish_external(ctx: Context, action: Action) -> bool:
    """After the internal window the vacancy goes external (REC-4); skipped if selection began."""
    rnd = ctx.session.get(RecruitmentRound, action.case_id)
    if rnd is None or rnd.state is not RoundState.INTERNAL:
        return False
    move_round(ctx, rnd, RoundState.EXTERNAL)
    mail_staff(
        ctx,
        rnd,
        ctx.person(rnd.po_id),
        key=f"rec.extern:{rnd.id}",
        template="rec_publicatie",
        extra={"extern": True, "tekst": rnd.vacancy_text, "extern_vanaf": rnd.external_from},
    )
    return True


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
            target = (
                CandidateState.WITHDRAWN
                if cand.state is CandidateState.PROSPECT
                else CandidateState.REJECTED
            )
            close_candidate(ctx, rnd, cand, target, "ronde_vervallen")


# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    PUBLISH_EXTERNAL: publish_external,
}
