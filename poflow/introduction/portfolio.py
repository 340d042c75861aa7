"""Certificates of participation and the employee's portfolio (INT-4): each item of their
programme with its status and certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.db.models import Hire, Step
from poflow.engine import Context
from poflow.introduction.config import section
from poflow.introduction.deadline import LATE
from poflow.introduction.kinds import PROCESS, ROLE_ITEM_PREFIX, step_key
from poflow.introduction.models import (
    Certificate,
    IntroSession,
    SessionParticipant,
    enrolment_of,
)
from poflow.introduction.states import OPEN, ParticipationStatus
from poflow.introduction.status import programme_status
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl
from poflow.states import StepState

__all__ = ["Portfolio", "PortfolioLine", "issue_certificate", "portfolio"]


def issue_certificate(
    ctx: Context, hire: Hire, *, item: str, title: str, completed_on: date, source: str
) -> Certificate | None:
    """INT-4: give a certificate of participation once per item; None when it already exists."""
    found = ctx.session.scalar(
        select(Certificate).where(Certificate.hire_id == hire.id, Certificate.item == item)
    )
    if found is not None:
        return None
    cert = Certificate(
        municipality=hire.municipality,
        hire_id=hire.id,
        item=item,
        title=title,
        completed_on=completed_on,
        source=source,
        number=f"BVD-{hire.id}-{item}"[:48],
    )
    ctx.session.add(cert)
    ctx.session.flush()
    ctx.audit(
        "int.certificate",
        "hire",
        hire.id,
        item=item,
        source=source,
        completed_on=completed_on.isoformat(),
    )
    ctx.mail(
        key=f"int.certificate:{hire.id}:{item}",
        template="introduction/bewijs_van_deelname",
        to=ctx.hire_recipient(hire),
        context={"onderdeel": title, "datum": completed_on, "nummer": cert.number},
        case_type=CaseType.HIRE,
        case_id=hire.id,
    )
    return cert


@dataclass(frozen=True, slots=True)
class PortfolioLine:
    """One item of the programme as the employee sees it."""

    key: str
    title: str
    line: str
    status: str  # Dutch: "afgerond", "gepland 12-03-2027", "open", ...
    certificate: str | None = None


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The employee's programme: group, variant, period, each item and its certificates."""

    hire_id: str
    status: str
    variant: str | None
    lines: tuple[PortfolioLine, ...]


def _session_status(session: Session, hire_id: str, series: str) -> str:
    rows = session.execute(
        select(IntroSession.session_date, SessionParticipant.status)
        .join(SessionParticipant.session)
        .where(SessionParticipant.hire_id == hire_id, IntroSession.series == series)
        .order_by(IntroSession.session_date)
    ).all()
    if any(st == ParticipationStatus.ATTENDED for _, st in rows):
        done = [d for d, st in rows if st == ParticipationStatus.ATTENDED]
        return f"bijgewoond {date_nl(done[-1])}"
    live = [d for d, st in rows if st in OPEN]
    if live:
        return f"uitgenodigd {date_nl(live[-1])}"
    if not rows:
        return "nog niet gepland"
    if rows[-1][1] == ParticipationStatus.SPILLED:
        return "vol, volgt de volgende keer"
    return "gemist, volgt opnieuw" if rows[-1][1] != ParticipationStatus.CANCELLED else "vervallen"


def portfolio(ctx: Context, hire: Hire) -> Portfolio:
    """INT-4: everything of the hire's programme, with the certificates of participation."""
    status = programme_status(ctx.session, hire, ctx.day, ctx.config)
    enrolment = enrolment_of(ctx.session, hire.id)
    if enrolment is None:
        return Portfolio(hire.id, status, None, ())
    cfg = section(ctx.config)
    certs = {
        c.item: c
        for c in ctx.session.scalars(select(Certificate).where(Certificate.hire_id == hire.id))
    }
    steps = {
        s.key: s
        for s in ctx.session.scalars(
            select(Step).where(
                Step.case_type == CaseType.HIRE, Step.case_id == hire.id, Step.process == PROCESS
            )
        )
    }
    lines = []
    for item in cfg.variant_items(enrolment.variant):
        if item.kind in ("sessie", "klassikaal"):
            text = _session_status(ctx.session, hire.id, item.key)
        else:
            step = steps.get(step_key(item.key, item.kind))
            text = _step_status(step, ctx.day)
        cert = certs.get(item.key)
        lines.append(
            PortfolioLine(
                item.key,
                item.title,
                item.line,
                "afgerond" if cert and not text.startswith("afgerond") else text,
                cert.number if cert else None,
            )
        )
    for step in steps.values():
        if step.key.startswith(ROLE_ITEM_PREFIX):
            status_ = _step_status(step, ctx.day)
            lines.append(PortfolioLine(step.key, step.title, "individueel", status_))
    return Portfolio(hire.id, status, enrolment.variant, tuple(lines))


def _step_status(step: Step | None, day: date) -> str:
    if step is None:
        return "nog niet gepland"
    if step.state == StepState.DONE:
        return "afgerond, te laat" if (step.data or {}).get(LATE) else "afgerond"
    if step.state == StepState.CANCELLED:
        return "vervallen"
    if day > step.due_date:  # INT-4: past its deadline
        return f"te laat, uiterlijk {date_nl(step.due_date)}"
    return f"open, uiterlijk {date_nl(step.due_date)}"
