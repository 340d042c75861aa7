"""From need to publication (REC-2..4): the formation gate, the vacancy text P&O drafts and
P&O and the MT-lid confirm, and its internal publication followed by the external one."""

from __future__ import annotations

from poflow._exceptions import RecruitmentRefused
from poflow.approvals.requests import request_approval
from poflow.engine import Context
from poflow.kernel.foureyes import Outcome
from poflow.kernel.vocabulary import CaseType
from poflow.recruitment.gates import FORMATION, VACANCY, gate, rejection_note, vacancy_subject
from poflow.recruitment.mails import mail_staff
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.rounds import ask_for_text, get_round, move_round
from poflow.recruitment.rules import VACANCY_ROLES, check_vacancy_text, external_publication_day
from poflow.recruitment.states import RoundState

__all__ = [
    "PUBLISH_EXTERNAL",
    "apply_formation_outcome",
    "apply_vacancy_outcome",
    "draft_vacancy",
]

PUBLISH_EXTERNAL = "rec.publish_external"  # the action kind of the external publication


def apply_formation_outcome(ctx: Context, round_id: str) -> RoundState:
    """Go on when GS and OR both agreed; either's rejection ends the round with its reason."""
    rnd = get_round(ctx.session, round_id)
    if rnd.state is not RoundState.FORMATION_REVIEW:
        return rnd.state
    result = gate(ctx.session, FORMATION, rnd.id)
    if result is Outcome.APPROVED:
        move_round(ctx, rnd, RoundState.DRAFTING, because="formation_approved")
        ask_for_text(ctx, rnd)
    elif result is Outcome.REJECTED:
        rnd.close_reason = "formatie_afgewezen"
        rnd.close_note = rejection_note(ctx.session, FORMATION, rnd.id)
        move_round(ctx, rnd, RoundState.CANCELLED, because="formation_rejected")
        for person_id in (rnd.po_id, rnd.mt_lid_id):
            mail_staff(
                ctx,
                rnd,
                ctx.person(person_id),
                key=f"rec.formatie_af:{rnd.id}",
                template="recruitment/rec_ronde_afgewezen",
                extra={"toelichting": rnd.close_note},
            )
    return rnd.state


def draft_vacancy(ctx: Context, round_id: str, text: str, *, by: str) -> RecruitmentRound:
    """P&O drafts the text; P&O and the MT-lid both confirm it by their own link (REC-3)."""
    rnd = get_round(ctx.session, round_id)
    if by != rnd.po_id:
        raise RecruitmentRefused(
            f"Cannot draft the vacancy text of round {rnd.id} as {by}: "
            f"P&O adviser {rnd.po_id} of the round drafts it."
        )
    check_vacancy_text(rnd.id, text)
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
            template="recruitment/rec_tekst_bevestigen",
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
        ask_for_text(ctx, rnd)
    elif result is Outcome.APPROVED:
        rnd.internal_from = ctx.day
        rnd.external_from = external_publication_day(
            ctx.day, rnd.internal_window_days, ctx.calendar
        )
        move_round(ctx, rnd, RoundState.INTERNAL, external_from=rnd.external_from.isoformat())
        ctx.schedule(
            case_type=CaseType.ROUND,
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
            template="recruitment/rec_publicatie",
            extra={"extern": False, "tekst": rnd.vacancy_text, "extern_vanaf": rnd.external_from},
        )
    return rnd.state
