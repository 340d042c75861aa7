"""The dated actions of recruitment, one handler per kind: the external publication after the
internal window (REC-4) and the referral-bonus notice once in service (REC-12)."""

from __future__ import annotations

from sqlalchemy import select

from poflow.db.models import Action, Hire
from poflow.engine import Context, Handler
from poflow.kernel.vocabulary import CaseType
from poflow.mail.outbox import Recipient
from poflow.recruitment.mails import mail_staff, section
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.planner import REFERRAL
from poflow.recruitment.rounds import get_round, move_round
from poflow.recruitment.rules import referral_bonus_due
from poflow.recruitment.states import RoundState
from poflow.recruitment.vacancy import PUBLISH_EXTERNAL
from poflow.states import HireState

__all__ = ["HANDLERS", "notify_referral_bonus", "publish_external"]


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
        template="recruitment/rec_publicatie",
        extra={"extern": True, "tekst": rnd.vacancy_text, "extern_vanaf": rnd.external_from},
    )
    return True


def notify_referral_bonus(ctx: Context, action: Action) -> bool:
    """Mail the salary administration: EUR 250 net (configurable) for the referrer (REC-12)."""
    hire = ctx.session.get(Hire, action.case_id)
    cand = ctx.session.scalar(select(Candidate).where(Candidate.hire_id == action.case_id))
    if hire is None or cand is None or cand.referred_by_id is None:
        return False  # nobody (any more) to notify about
    if not referral_bonus_due(
        ctx.day, hire.first_working_day, hire_cancelled=hire.state is HireState.CANCELLED
    ):
        return False
    cfg, rnd = section(ctx), get_round(ctx.session, cand.round_id)
    admin = Recipient(None, "Salarisadministratie", str(ctx.config.municipality.salary_admin_email))
    referrer = ctx.person(cand.referred_by_id)
    ctx.mail(
        key=f"{REFERRAL}:{hire.id}",
        template="recruitment/rec_referral_bonus",
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
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    ctx.audit(
        "referral.notified",
        CaseType.HIRE,
        hire.id,
        referrer=referrer.id,
        amount=cfg.referral_bonus_eur,
    )
    mail_staff(
        ctx,
        rnd,
        referrer,
        key=f"rec.referral_dank:{hire.id}",
        template="recruitment/rec_referral_dank",
        extra={"bedrag": cfg.referral_bonus_eur, "nieuwe_collega": hire.full_name},
        case_type=CaseType.HIRE,
        case_id=hire.id,
    )
    return True


HANDLERS: dict[str, Handler] = {
    PUBLISH_EXTERNAL: publish_external,
    REFERRAL: notify_referral_bonus,
}
