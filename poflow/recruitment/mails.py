"""The mails of a recruitment round (REC-11): to candidates, the panel and P&O; keys per X-1.

Templates live in templates/mail/recruitment/ and are named "recruitment/<name>".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from poflow.db.models import Person
from poflow.engine import TZ, Context
from poflow.kernel.vocabulary import CaseType
from poflow.mail.outbox import Recipient
from poflow.recruitment.config import RecruitmentSection
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.recruitment.rules import Tier

__all__ = [
    "TIER_NL",
    "candidate_recipient",
    "local",
    "mail_candidate",
    "mail_rejection",
    "mail_staff",
    "round_context",
    "section",
]

TIER_NL = {
    Tier.BOVENFORMATIEF: "1 – bovenformatief of voormalig medewerker met UWO-uitkering",
    Tier.EIGEN_MEDEWERKER: "2 – medewerker in dienst van de gemeente",
    Tier.DETACHERING_INLEEN: "3 – werkzaam via detachering of inleen",
    Tier.EXTERN: "4 – externe kandidaat",
}


def section(ctx: Context) -> RecruitmentSection:
    """This municipality's recruitment.yaml."""
    return ctx.config.section("recruitment", RecruitmentSection)


def candidate_recipient(candidate: Candidate) -> Recipient:
    """A candidate as a mail recipient (their id, never their name, goes into keys)."""
    return Recipient(candidate.id, candidate.full_name, candidate.email, candidate.given_name)


def round_context(ctx: Context, rnd: RecruitmentRound) -> dict[str, Any]:
    """What every round mail may show: the function, team and who runs the round."""
    return {
        "round_id": rnd.id,
        "functie": rnd.function,
        "team": rnd.team,
        "fte": f"{rnd.fte:.2f}".replace(".", ","),
        "po_naam": ctx.person(rnd.po_id).full_name,
        "mt_naam": ctx.person(rnd.mt_lid_id).full_name,
    }


def mail_candidate(
    ctx: Context,
    rnd: RecruitmentRound,
    candidate: Candidate,
    *,
    key: str,
    template: str,
    extra: dict[str, Any] | None = None,
    invitation: Any = None,
) -> None:
    """Queue one mail to a candidate under `key` (once only)."""
    ctx.mail(
        key=key,
        template=template,
        to=candidate_recipient(candidate),
        context={
            **round_context(ctx, rnd),
            "kandidaat": candidate.full_name,
            "candidate_id": candidate.id,
            **(extra or {}),
        },
        case_type=CaseType.CANDIDATE,
        case_id=candidate.id,
        invitation=invitation,
    )


def mail_staff(
    ctx: Context,
    rnd: RecruitmentRound,
    person: Person | None,
    *,
    key: str,
    template: str,
    extra: dict[str, Any] | None = None,
    case_type: str = CaseType.ROUND,
    case_id: str | None = None,
    invitation: Any = None,
) -> None:
    """Queue one mail to a staff member (or the P&O mailbox when `person` is None)."""
    to = ctx.recipient(person) if person is not None else ctx.po_recipient()
    ctx.mail(
        key=f"{key}:{to.id or 'po'}",
        template=template,
        to=to,
        context={**round_context(ctx, rnd), **(extra or {})},
        case_type=case_type,
        case_id=case_id or rnd.id,
        invitation=invitation,
    )


def mail_rejection(ctx: Context, rnd: RecruitmentRound, candidate: Candidate) -> None:
    """The friendly rejection with its reason category and, with consent, partner vacancies."""
    cfg = section(ctx)
    reason = candidate.reason or "niet_geselecteerd"
    partners = (
        [{"naam": p.name, "url": str(p.vacancies_url)} for p in cfg.partner_municipalities]
        if candidate.consent_partners
        else []
    )
    mail_candidate(
        ctx,
        rnd,
        candidate,
        key=f"rec.afwijzing:{candidate.id}",
        template="recruitment/rec_afwijzing",
        extra={"reden": cfg.rejection_reasons[reason], "reden_code": reason, "partners": partners},
    )


def local(dt: datetime) -> datetime:
    """An aware datetime in Europe/Amsterdam, for templates."""
    return dt.astimezone(TZ)
