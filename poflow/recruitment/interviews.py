"""Selection and the interview rounds (REC-4..7, REC-11): the MT-lid proposes a selection that
takes effect when P&O confirms it (`selection`); the selected are invited in voorkeursbeleid
order with the panel in the invitation. Each invitation carries links to accept or decline."""

from __future__ import annotations

from datetime import datetime

from poflow._exceptions import PreferenceRefused, RecruitmentRefused
from poflow.db.models import Step
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType, Role
from poflow.links import link_url
from poflow.recruitment.candidates import candidates_of
from poflow.recruitment.mails import (
    TIER_NL,
    candidate_recipient,
    local,
    mail_candidate,
    mail_staff,
    section,
)
from poflow.recruitment.models import RoundSelection
from poflow.recruitment.rounds import get_round, require_role
from poflow.recruitment.rules import (
    Tier,
    interview_order,
    interview_slots,
    panel_roles,
    passed_over,
)
from poflow.recruitment.selection import pool_state, propose_selection
from poflow.recruitment.states import INTERVIEW_STAGES, check_round_move

__all__ = ["ACCEPT", "DECLINE", "plan_interviews", "record_refusal", "select_for_round"]

ACCEPT, DECLINE = "rec.interview.accept", "rec.interview.decline"  # the invitation's links


def select_for_round(
    ctx: Context,
    round_id: str,
    round_no: int,
    chosen: list[str],
    *,
    by: str,
    with_po: str,
    passed_over_reasons: dict[str, str] | None = None,
) -> RoundSelection:
    """The MT-lid proposes a selection with P&O (REC-5, REC-7): it takes effect (the others
    hear a friendly no, REC-11) only when the P&O adviser `with_po` confirms it by their own
    link (`selection.decide_selection`).

    A candidate of a higher tier left out for a lower one needs a recorded reason, e.g. that
    they do not (nearly) meet the requirements (REC-4); PreferenceRefused names those without."""
    rnd = get_round(ctx.session, round_id)
    if by != rnd.mt_lid_id:
        raise RecruitmentRefused(
            f"Cannot select for interview round {round_no} of {rnd.id} as "
            f"{by}: the round's MT-lid {rnd.mt_lid_id} selects."
        )
    require_role(ctx, by, Role.MT_LID, f"select for round {rnd.id}")
    require_role(ctx, with_po, Role.PO_ADVISEUR, f"select with P&O for round {rnd.id}")
    if with_po == by:
        raise RecruitmentRefused(
            # S608: the message starts with "Cannot select", not an SQL query.
            f"Cannot select for round {rnd.id}: the MT-lid selects in "  # noqa: S608
            "consultation with someone else from P&O."
        )
    if round_no not in INTERVIEW_STAGES:
        raise RecruitmentRefused(f"Cannot select for round {rnd.id}: interview rounds are 1, 2.")
    check_round_move(rnd.id, rnd.state, INTERVIEW_STAGES[round_no][0])  # the stage allows it
    pool = [c for c in candidates_of(ctx, rnd) if c.state is pool_state(round_no)]
    unknown = set(chosen) - {c.id for c in pool}
    if unknown or not chosen:
        raise RecruitmentRefused(
            f"Cannot select {sorted(unknown) or 'nobody'} for interview "  # noqa: S608
            f"round {round_no} of {rnd.id}: choose from "
            f"{[c.id for c in pool]}."
        )
    reasons = {k: v.strip() for k, v in (passed_over_reasons or {}).items() if v.strip()}
    skipped = passed_over([(c.id, c.tier) for c in pool], chosen)
    missing = [c for c in skipped if c not in reasons]
    if missing:
        raise PreferenceRefused(
            f"Cannot select {', '.join(chosen)} for interview round {round_no} of {rnd.id}: "
            f"{', '.join(missing)} of a higher voorkeursbeleid tier would be passed over without "
            "a recorded reason (REC-4); give one per candidate (--passed-over ID=REASON).",
            missing,
        )
    for cand in pool:
        if cand.id in skipped:
            cand.passed_over_reason = reasons[cand.id][:200]
            ctx.audit(
                "candidate.passed_over",
                CaseType.CANDIDATE,
                cand.id,
                round=rnd.id,
                round_no=round_no,
                tier=cand.tier,
                by=by,
                with_po=with_po,
            )
    return propose_selection(
        ctx,
        rnd,
        round_no,
        chosen=[c.id for c in pool if c.id in chosen],
        passed_over=[c.id for c in pool if c.id in skipped],
        pool=[c.id for c in pool],
        by=by,
        po_id=with_po,
    )


def record_refusal(ctx: Context, round_id: str, refused: PreferenceRefused, *, by: str) -> None:
    """Audit a refused selection in its own transaction (the refused one changed nothing)."""
    ctx.audit(
        "round.selection_refused",
        CaseType.ROUND,
        round_id,
        by=by,
        passed_over=",".join(refused.candidate_ids),
        rule="REC-4",
    )


def plan_interviews(ctx: Context, round_id: str, round_no: int, first: datetime) -> list[Step]:
    """Invite the selected in voorkeursbeleid order: higher tiers and internal first (REC-4/6/7)."""
    rnd = get_round(ctx.session, round_id)
    round_state, cand_state = INTERVIEW_STAGES[round_no]
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
        and ctx.step(case_type=CaseType.CANDIDATE, case_id=c.id, key=key) is None
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
            case_type=CaseType.CANDIDATE,
            case_id=cand.id,
            process="rec",
            key=key,
            title=f"Sollicitatiegesprek ronde {round_no}",
            due_date=start.date(),
            starts_at=start,
            ends_at=end,
            owner_role=Role.PO_ADVISEUR,
            owner_id=rnd.po_id,
            sequence=0,
            data={"round": rnd.id, "round_no": round_no, "panel": panel.members},
        )
        ctx.session.add(step)
        ctx.session.flush()
        ctx.audit(
            "candidate.invited",
            CaseType.CANDIDATE,
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
                case_type=CaseType.CANDIDATE,
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
            template="recruitment/rec_uitnodiging",
            extra={**talk, "links": links},
            invitation=invitation,
        )
        for member in members:
            mail_staff(
                ctx,
                rnd,
                member,
                key=f"rec.panel:{cand.id}:{round_no}",
                template="recruitment/rec_uitnodiging_panel",
                extra={**talk, "kandidaat": cand.full_name, "tier": TIER_NL[Tier(cand.tier)]},
                case_type=CaseType.CANDIDATE,
                case_id=cand.id,
                invitation=invitation,
            )
        steps.append(step)
    return steps
