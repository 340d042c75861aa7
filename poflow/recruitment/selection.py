"""REC-5: "Selection for the first round is made by the MT-lid in consultation with P&O."

The MT-lid's selection (`interviews.select_for_round`) is only proposed: the P&O adviser it
names gets a link that needs their own login (`links`, `CONFIRM`) showing the selection and the
passed-over reasons (REC-4). Their confirmation (`decide_selection`, taken as the logged-in
adviser, never the MT-lid or an operator) makes it take effect: the round moves, the others hear
a friendly no (REC-11) and interviews can be planned. A refusal, with a reason, moves nothing and
tells the MT-lid, who may select again; a new selection withdraws one still unanswered.
The second round's selection goes the same way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import RecruitmentRefused
from poflow.db.base import utcnow
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType, Role
from poflow.link_tokens import revoke_links
from poflow.links import link_url
from poflow.recruitment.candidates import candidates_of
from poflow.recruitment.mails import TIER_NL, mail_staff
from poflow.recruitment.models import Candidate, RecruitmentRound, RoundSelection
from poflow.recruitment.rounds import (
    close_candidate,
    get_round,
    move_round,
    require_role,
    signal_flow,
)
from poflow.recruitment.rules import Tier, not_selected_reason
from poflow.recruitment.states import (
    INTERVIEW_STAGES,
    SELECTIONS,
    CandidateState,
    SelectionState,
    check_candidate_move,
)

__all__ = [
    "CONFIRM",
    "decide_selection",
    "get_selection",
    "pending_selection",
    "pool_state",
    "propose_selection",
    "selection_lines",
]

CONFIRM = "rec.selection.confirm"  # the P&O adviser's link: confirm or refuse the selection


def pool_state(round_no: int) -> CandidateState:
    """The state of the candidates an interview round selects from."""
    return CandidateState.APPLIED if round_no == 1 else CandidateState.ROUND_ONE


def pending_selection(session: Session, round_id: str) -> RoundSelection | None:
    """The round's selection that waits for P&O's confirmation, if any."""
    return session.scalar(
        select(RoundSelection).where(
            RoundSelection.round_id == round_id,
            RoundSelection.state == SelectionState.PROPOSED,
        )
    )


def get_selection(session: Session, selection_id: int) -> RoundSelection:
    """The selection with this id, or RecruitmentRefused."""
    sel = session.get(RoundSelection, selection_id)
    if sel is None:
        raise RecruitmentRefused(f"Cannot decide on selection {selection_id}: it does not exist.")
    return sel


def selection_lines(session: Session, sel: RoundSelection) -> dict[str, list[str]]:
    """The selection in Dutch lines for the mail and the link page: who is selected, who of a
    higher tier is passed over and why (REC-4), and who else is not selected."""
    cands = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(sel.pool)))}

    def line(cid: str) -> str:
        cand = cands.get(cid)
        if cand is None:
            return cid
        return f"{cand.full_name} (categorie {TIER_NL[Tier(cand.tier)]})"

    return {
        "gekozen": [line(c) for c in sel.chosen],
        "overgeslagen": [
            f"{line(c)}: {cands[c].passed_over_reason}" if cands[c].passed_over_reason else line(c)
            for c in sel.passed_over
            if c in cands
        ],
        "overig": [line(c) for c in sel.pool if c not in sel.chosen and c not in sel.passed_over],
    }


def propose_selection(
    ctx: Context,
    rnd: RecruitmentRound,
    round_no: int,
    *,
    chosen: list[str],
    passed_over: list[str],
    pool: list[str],
    by: str,
    po_id: str,
) -> RoundSelection:
    """Record the MT-lid's selection as proposed and ask the P&O adviser to confirm it by link;
    an unanswered earlier proposal of the round is withdrawn (its link revoked)."""
    earlier = pending_selection(ctx.session, rnd.id)
    if earlier is not None:
        SELECTIONS.check(f"selection {earlier.id}", earlier.state, SelectionState.WITHDRAWN)
        earlier.state, earlier.decided_at = SelectionState.WITHDRAWN, utcnow()
        revoke_links(
            ctx.session,
            case_type=CaseType.ROUND,
            case_id=rnd.id,
            action=CONFIRM,
            reason="new_selection",
        )
        ctx.audit("round.selection_withdrawn", CaseType.ROUND, rnd.id, selection=earlier.id)
    sel = RoundSelection(
        round_id=rnd.id,
        municipality=rnd.municipality,
        round_no=round_no,
        chosen=list(chosen),
        passed_over=list(passed_over),
        pool=list(pool),
        proposed_by=by,
        po_id=po_id,
        state=SelectionState.PROPOSED,
    )
    ctx.session.add(sel)
    ctx.session.flush()
    ctx.audit(
        "round.selection_proposed",
        CaseType.ROUND,
        rnd.id,
        selection=sel.id,
        round_no=round_no,
        chosen=",".join(chosen),
        passed_over=",".join(passed_over),
        by=by,
        asked_po=po_id,
        rule="REC-5",
    )
    url = link_url(
        ctx,
        action=CONFIRM,
        subject_id=po_id,
        case_type=CaseType.ROUND,
        case_id=rnd.id,
        data={"selection": sel.id},
    )
    mail_staff(
        ctx,
        rnd,
        ctx.person(po_id),
        key=f"rec.selectie:{rnd.id}:{sel.id}",
        template="recruitment/rec_selectie_bevestigen",
        extra={"ronde": round_no, "link": url, **selection_lines(ctx.session, sel)},
    )
    signal_flow(ctx, rnd)  # the round's run now shows it waits for this P&O adviser
    return sel


def decide_selection(
    ctx: Context, selection_id: int, *, confirm: bool, reason: str | None = None
) -> RoundSelection:
    """The asked P&O adviser (the context's actor, logged in) confirms or refuses a proposed
    selection; RecruitmentRefused for anyone else, a decided selection or a changed pool."""
    sel = get_selection(ctx.session, selection_id)
    rnd = get_round(ctx.session, sel.round_id)
    who = ctx.actor
    what = f"{'confirm' if confirm else 'refuse'} selection {sel.id} of round {rnd.id} as {who}"
    if who != sel.po_id or who == sel.proposed_by:
        raise RecruitmentRefused(
            f"Cannot {what}: the P&O adviser {sel.po_id} was asked to confirm it (REC-5)."
        )
    require_role(ctx, who, Role.PO_ADVISEUR, what)
    if sel.state is not SelectionState.PROPOSED or rnd.state.final:
        raise RecruitmentRefused(f"Cannot {what}: it is {sel.state.value}, round {rnd.state}.")
    note = (reason or "").strip()
    if not confirm:
        if not note:
            raise RecruitmentRefused(f"Cannot {what} without a reason.")
        _refuse(ctx, rnd, sel, note)
        return sel
    current = {c.id for c in candidates_of(ctx, rnd) if c.state is pool_state(sel.round_no)}
    if current != set(sel.pool):
        raise RecruitmentRefused(
            f"Cannot {what}: the candidates changed since the MT-lid selected; "
            "the MT-lid selects again."
        )
    SELECTIONS.check(f"selection {sel.id}", sel.state, SelectionState.CONFIRMED)
    sel.state, sel.decided_at = SelectionState.CONFIRMED, utcnow()
    ctx.audit("round.selection_confirmed", CaseType.ROUND, rnd.id, selection=sel.id, rule="REC-5")
    _take_effect(ctx, rnd, sel)
    return sel


def _refuse(ctx: Context, rnd: RecruitmentRound, sel: RoundSelection, note: str) -> None:
    """Nothing moves: the passed-over reasons go, the MT-lid is told and may select again."""
    SELECTIONS.check(f"selection {sel.id}", sel.state, SelectionState.REFUSED)
    sel.state, sel.decided_at, sel.refusal_reason = SelectionState.REFUSED, utcnow(), note
    for cand in ctx.session.scalars(select(Candidate).where(Candidate.id.in_(sel.passed_over))):
        cand.passed_over_reason = None
    ctx.audit("round.selection_refused_by_po", CaseType.ROUND, rnd.id, selection=sel.id)
    mail_staff(
        ctx,
        rnd,
        ctx.person(sel.proposed_by),
        key=f"rec.selectie_geweigerd:{rnd.id}:{sel.id}",
        template="recruitment/rec_selectie_geweigerd",
        extra={
            "ronde": sel.round_no,
            "toelichting": note,
            "adviseur": ctx.person(sel.po_id).full_name,
        },
    )
    signal_flow(ctx, rnd)  # the round's run now waits for the MT-lid again


def _take_effect(ctx: Context, rnd: RecruitmentRound, sel: RoundSelection) -> None:
    """The confirmed selection as it always took effect: the round moves, the selected go on,
    the others hear a friendly no (REC-11)."""
    round_state, cand_state = INTERVIEW_STAGES[sel.round_no]
    move_round(
        ctx,
        rnd,
        round_state,
        selected=len(sel.chosen),
        by=sel.proposed_by,
        with_po=sel.po_id,
        selection=sel.id,
    )
    reason = not_selected_reason(sel.round_no)
    for cand in candidates_of(ctx, rnd):
        if cand.id not in sel.pool:
            continue
        if cand.id in sel.chosen:
            check_candidate_move(cand.id, cand.state, cand_state)
            cand.state = cand_state
            ctx.audit(
                "candidate.moved",
                CaseType.CANDIDATE,
                cand.id,
                round=rnd.id,
                to_state=cand_state.value,
            )
        else:
            close_candidate(ctx, rnd, cand, CandidateState.REJECTED, reason)
