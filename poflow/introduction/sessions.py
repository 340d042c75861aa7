"""Group sessions (INT-3, INT-4): on a session-planning day, create the session and invite its cohort.

A series (start meeting, evaluation, each classroom module) has dates from its anchor and
interval, rolled to working days. Its invitation window opens some working days before a session;
on every working day in the window the cohort is assembled again, so late arrivals join, a
re-run invites nobody twice, and a full session spills the rest to the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from poflow.config import MunicipalityConfig
from poflow.db.models import Hire
from poflow.engine import TZ, Context, Registry, local_datetime
from poflow.introduction.common import action_url, section
from poflow.introduction.config import IntroductionSection, SeriesConfig
from poflow.introduction.models import Enrolment, EnrolmentState, IntroSession, SessionParticipant
from poflow.introduction.rules import (
    OPEN,
    Candidate,
    Participation,
    ParticipationStatus,
    open_session,
    programme_end,
    select_cohort,
    series_dates,
)
from poflow.mail.ics import Invitation
from poflow.mail.outbox import Recipient
from poflow.settings import Settings
from poflow.states import HireState

__all__ = [
    "SessionPlan",
    "next_session_date",
    "participant_invitation",
    "plan_day",
    "plan_sessions",
    "session_context",
    "withdraw",
]

REMIND, ATTENDANCE, CLOSE = "int.session_remind", "int.session_attendance", "int.session_close"
P = ParticipationStatus


@dataclass
class SessionPlan:
    """What one planning pass did for one series: ids and counts only (safe for Prefect, X-3)."""

    series: str
    session_id: int | None = None
    invited: list[str] = field(default_factory=list)
    reinvited: list[str] = field(default_factory=list)
    spilled: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int | str | None]:
        """The pass as counts, for a Prefect result."""
        return {
            "series": self.series,
            "session_id": self.session_id,
            "invited": len(self.invited),
            "reinvited": len(self.reinvited),
            "spilled": len(self.spilled),
            "cancelled": len(self.cancelled),
        }


def next_session_date(scfg: SeriesConfig, ctx: Context, after: date) -> date:
    """The first session of the series after `after`."""
    return series_dates(
        scfg.rule(), ctx.calendar, after + timedelta(days=1), after + timedelta(days=400)
    )[0]


def _chain(cfg: IntroductionSection, variant: str) -> list[str]:
    return [i.key for i in cfg.variant_items(variant) if i.kind == "klassikaal" or i.key == "start"]


def _candidates(
    ctx: Context, cfg: IntroductionSection, series: str, session_date: date
) -> list[Candidate]:
    rows = [
        r
        for r in ctx.session.execute(
            select(Enrolment.variant, Hire.id, Hire.first_working_day)
            .join(Hire, Hire.id == Enrolment.hire_id)
            .where(
                Enrolment.municipality == ctx.municipality,
                Enrolment.state == EnrolmentState.ACTIVE,
                Hire.state == HireState.PLANNED,
            )
            .order_by(Hire.id)
        ).all()
        if series in cfg.variants[r[0]]
    ]
    parts: dict[str, list[tuple[str, date, ParticipationStatus]]] = {r[1]: [] for r in rows}
    for hire_id, s, d, st in ctx.session.execute(
        select(
            SessionParticipant.hire_id,
            IntroSession.series,
            IntroSession.session_date,
            SessionParticipant.status,
        )
        .join(SessionParticipant.session)
        .where(IntroSession.municipality == ctx.municipality)
        .order_by(IntroSession.session_date)
    ):
        if hire_id in parts and st == P.CANCELLED and s == series and d == session_date:
            del parts[hire_id]  # withdrawn from this very session: not again
        elif hire_id in parts and st != P.CANCELLED:
            parts[hire_id].append((s, d, st))
    out: list[Candidate] = []
    for variant, hire_id, first_day in rows:
        if hire_id not in parts:
            continue
        mine = parts[hire_id]
        chain = _chain(cfg, variant)
        before = chain[chain.index(series) - 1] if series in chain and chain.index(series) else None
        planned = [d for s, d, st in mine if s == before and st != P.SPILLED]
        out.append(
            Candidate(
                hire_id=hire_id,
                first_working_day=first_day,
                programme_end=programme_end(ctx.calendar, first_day, cfg.programme_months),
                history=tuple(Participation(d, st) for s, d, st in mine if s == series),
                previous_item_planned=max(planned) if planned else None,
                first_in_order=before is None,
            )
        )
    return out


def session_context(ctx: Context, s: IntroSession) -> dict[str, object]:
    """The template variables describing a session."""
    return {
        "titel": s.title,
        "start": s.starts_at.astimezone(TZ),
        "einde": s.ends_at.astimezone(TZ),
        "locatie": s.location,
        "sessie_id": s.id,
    }


def participant_invitation(
    ctx: Context, s: IntroSession, to: Recipient, uid_part: str, *, cancelled: bool = False
) -> Invitation:
    """The .ics of one person's place in a session: one uid per person, so each can be cancelled."""
    m = ctx.config.municipality
    return Invitation(
        uid=f"poflow-int-{s.id}-{uid_part}@{ctx.municipality}.poflow",
        sequence=int(cancelled),
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        summary=s.title,
        location=s.location,
        description=f"{s.title} van het introductieprogramma van {m.name}.",
        organizer_name=m.sender_name,
        organizer_email=str(m.sender_email),
        attendees=((to.name, to.email),),
        cancelled=cancelled,
    )


def _session(ctx: Context, series: str, scfg: SeriesConfig, day: date) -> IntroSession:
    found = ctx.session.scalar(
        select(IntroSession).where(
            IntroSession.municipality == ctx.municipality,
            IntroSession.series == series,
            IntroSession.session_date == day,
        )
    )
    if found is not None:
        return found
    starts = local_datetime(day, scfg.time)
    s = IntroSession(
        municipality=ctx.municipality,
        series=series,
        title=scfg.title,
        session_date=day,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=scfg.duration_minutes),
        location=scfg.location,
        capacity=scfg.capacity,
    )
    ctx.session.add(s)
    ctx.session.flush()
    ctx.audit("int.session.planned", "int_session", str(s.id), series=series, date=day.isoformat())
    return s


def _invite(
    ctx: Context, s: IntroSession, p: SessionParticipant, hire: Hire, scfg: SeriesConfig
) -> None:
    to = ctx.hire_recipient(hire)
    links = {
        name: action_url(
            ctx,
            action=name,
            subject_id=hire.id,
            case_type="hire",
            case_id=hire.id,
            valid_until=s.session_date,
            data={"participant": p.id},
        )
        for name in ("int.sessie_ja", "int.sessie_nee")
    }
    ctx.mail(
        key=f"int.invite:{s.id}:{hire.id}",
        template="introduction/sessie_uitnodiging",
        to=to,
        context={
            **session_context(ctx, s),
            "herkansing": p.reason == "makeup",
            "link_ja": links["int.sessie_ja"],
            "link_nee": links["int.sessie_nee"],
        },
        case_type="hire",
        case_id=hire.id,
        invitation=participant_invitation(ctx, s, to, hire.id),
    )
    ctx.schedule(
        case_type="hire",
        case_id=hire.id,
        kind=REMIND,
        key=f"{REMIND}:{p.id}",
        due=ctx.calendar.add_working_days(s.session_date, -scfg.reminder_working_days_before),
    )


def _host(ctx: Context, s: IntroSession, scfg: SeriesConfig) -> None:
    if scfg.host_role is None:
        return
    names = [
        ctx.session.get(Hire, p.hire_id).full_name  # type: ignore[union-attr]
        for p in s.participants
        if p.status in OPEN
    ]
    for person in ctx.people_with_role(scfg.host_role):
        to = ctx.recipient(person)
        ctx.mail(
            key=f"int.host:{s.id}:{person.id}",
            template="introduction/sessie_gastheer",
            to=to,
            context={**session_context(ctx, s), "deelnemers": names},
            case_type="int_session",
            case_id=str(s.id),
            invitation=participant_invitation(ctx, s, to, f"host-{person.id}"),
        )


def _spill(ctx: Context, s: IntroSession, hire: Hire, scfg: SeriesConfig) -> None:
    ctx.mail(
        key=f"int.spill:{s.id}:{hire.id}",
        template="introduction/sessie_vol",
        to=ctx.hire_recipient(hire),
        context={
            **session_context(ctx, s),
            "volgende": next_session_date(scfg, ctx, s.session_date),
        },
        case_type="hire",
        case_id=hire.id,
    )


def _withdraw_cancelled(ctx: Context, series: str) -> list[str]:
    """ONB-5: places of cancelled hires, or of hires moved to start after the session, are
    withdrawn with a calendar CANCEL (a moved hire joins a later session as a new starter)."""
    ids = ctx.session.scalars(
        select(SessionParticipant.id)
        .join(SessionParticipant.session)
        .join(Hire, Hire.id == SessionParticipant.hire_id)
        .where(
            IntroSession.municipality == ctx.municipality,
            IntroSession.series == series,
            IntroSession.session_date >= ctx.day,
            SessionParticipant.status.in_(OPEN),
            or_(
                Hire.state == HireState.CANCELLED,
                Hire.first_working_day > IntroSession.session_date,
            ),
        )
    ).all()
    rows = [ctx.session.get(SessionParticipant, i) for i in ids]
    for p in rows:
        withdraw(ctx, p, by="system")
    return [p.hire_id for p in rows]


def withdraw(ctx: Context, p: SessionParticipant, *, by: str) -> None:
    """Cancel one place in a session and send the person a calendar cancellation."""
    from poflow.introduction.attendance import set_status

    set_status(ctx, p, P.CANCELLED, by=by)
    hire = ctx.session.get(Hire, p.hire_id)
    assert hire is not None
    to = ctx.hire_recipient(hire)
    s = p.session
    ctx.mail(
        key=f"int.withdraw:{s.id}:{hire.id}",
        template="afspraak_geannuleerd",
        to=to,
        context={"titel": s.title, "start": s.starts_at.astimezone(TZ)},
        case_type="int_session",
        case_id=str(s.id),
        invitation=participant_invitation(ctx, s, to, hire.id, cancelled=True),
    )


def plan_sessions(ctx: Context, series: str) -> SessionPlan:
    """INT-3: on a session-planning day, invite the cohort of the series' next session."""
    from poflow.introduction import attendance  # noqa: F401  (registers the session handlers)

    plan = SessionPlan(series)
    cfg = section(ctx.config)
    if not cfg.enabled:
        return plan
    if not ctx.calendar.is_working_day(ctx.day):
        return plan
    scfg, kind = cfg.series_of(series)
    plan.cancelled = _withdraw_cancelled(ctx, series)
    found = open_session(scfg.rule(), ctx.calendar, ctx.day, scfg.invite_working_days_before)
    if found is None:
        return plan
    session_date, _previous = found
    candidates = _candidates(ctx, cfg, series, session_date)
    existing = ctx.session.scalar(
        select(IntroSession).where(
            IntroSession.municipality == ctx.municipality,
            IntroSession.series == series,
            IntroSession.session_date == session_date,
        )
    )
    taken = (
        0
        if existing is None
        else sum(p.status in (*OPEN, P.ATTENDED) for p in existing.participants)
    )
    choice = select_cohort(
        kind,
        session_date,
        candidates,
        seats_left=scfg.capacity - taken,
        max_attempts=scfg.max_attempts,
    )
    if not choice.invite and not choice.spill:
        if existing is not None:
            plan.session_id = existing.id
        return plan
    s = existing or _session(ctx, series, scfg, session_date)
    plan.session_id = s.id
    waited = {c.hire_id for c in candidates if c.history and c.history[-1].status == P.SPILLED}
    for hire_id in (*choice.invite, *choice.spill):
        spilled = hire_id in choice.spill
        reason = (
            "spill"
            if spilled
            else (
                "new"
                if hire_id not in choice.reinvite
                else "waitlist"
                if hire_id in waited
                else "makeup"
            )
        )
        p = SessionParticipant(
            session_id=s.id,
            hire_id=hire_id,
            reason=reason,
            status=P.SPILLED if spilled else P.INVITED,
            invited_on=ctx.day,
            updated_by="system",
        )
        ctx.session.add(p)
        ctx.session.flush()
        hire = ctx.session.get(Hire, hire_id)
        assert hire is not None
        ctx.audit(
            "int.spilled" if spilled else "int.invited",
            "int_session",
            str(s.id),
            hire=hire_id,
            reason=reason,
        )
        if spilled:
            _spill(ctx, s, hire, scfg)
        else:
            _invite(ctx, s, p, hire, scfg)
    ctx.session.refresh(s)
    plan.invited, plan.reinvited = list(choice.invite), list(choice.reinvite)
    plan.spilled = list(choice.spill)
    if choice.invite:
        _host(ctx, s, scfg)
        for kind_, due in (
            (ATTENDANCE, ctx.calendar.add_working_days(session_date, 1)),
            (CLOSE, ctx.calendar.add_working_days(session_date, scfg.close_working_days_after)),
        ):
            ctx.schedule(
                case_type="int_session",
                case_id=str(s.id),
                kind=kind_,
                key=f"{kind_}:{s.id}",
                due=due,
            )
    return plan


def plan_day(
    factory: sessionmaker[Session],
    config: MunicipalityConfig,
    settings: Settings,
    day: date,
    series: str,
    *,
    registry: Registry,
) -> SessionPlan:
    """One planning pass for one series and municipality, in its own transaction."""
    with factory() as session, session.begin():
        return plan_sessions(Context(session, config, settings, day, registry), series)
