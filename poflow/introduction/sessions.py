"""Group session planning (INT-3, INT-4): on a session-planning day, create the session and invite
its cohort.

A series (start meeting, evaluation, each classroom module) has dates from its anchor and
interval, rolled to working days. Its invitation window opens some working days before a session;
on every working day in the window the cohort is assembled again, so late arrivals join, a
re-run invites nobody twice, and a full session spills the rest to the next one. Who is seated
is the pure cohort rule's (cohort.py); this module loads its candidates and acts on its choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from poflow.config import MunicipalityConfig
from poflow.db.models import Hire
from poflow.engine import SYSTEM_ACTOR, Context, Registry, local_datetime
from poflow.introduction.attendance import withdraw
from poflow.introduction.cohort import (
    Candidate,
    Participation,
    Place,
    free_seats,
    places,
    select_cohort,
)
from poflow.introduction.config import IntroductionSection, SeriesConfig, section
from poflow.introduction.invitations import host, invite, spill
from poflow.introduction.kinds import SESSION_ATTENDANCE, SESSION_CLOSE
from poflow.introduction.models import Enrolment, IntroSession, SessionParticipant
from poflow.introduction.rules import START, open_session, programme_end
from poflow.introduction.states import OPEN, EnrolmentState, ParticipationStatus
from poflow.kernel.vocabulary import CaseType
from poflow.settings import Settings
from poflow.states import HireState

__all__ = [
    "SessionPlan",
    "plan_day",
    "plan_sessions",
    "series_to_plan",
    "worth_publishing",
]

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


def series_to_plan(config: MunicipalityConfig, flow: str, day: date) -> list[str]:
    """The series a session flow ("start", "evaluatie" or "modules") plans in a municipality
    on `day`: none where the programme is off or on a day that is no working day (INT-3)."""
    cfg = section(config)
    if not cfg.enabled or not config.calendar.is_working_day(day):
        return []
    return cfg.module_keys() if flow == "modules" else [flow]


def worth_publishing(counts: Mapping[str, object]) -> bool:
    """Whether a planning pass (its counts) seated or spilled anyone in a session: then its
    overview is published."""
    return counts["session_id"] is not None and bool(counts["invited"] or counts["spilled"])


def _chain(cfg: IntroductionSection, variant: str) -> list[str]:
    return [i.key for i in cfg.variant_items(variant) if i.kind == "klassikaal" or i.key == START]


def _candidates(
    ctx: Context, cfg: IntroductionSection, series: str, session_date: date
) -> list[Candidate]:
    """The active enrolments whose variant has `series`, with their places so far (X-3: ids).

    Only hires past their first working day (INT-3): the welcome at work goes out on that day,
    so an invitation to the work address never arrives before the welcome mail.
    """
    rows = [
        r
        for r in ctx.session.execute(
            select(Enrolment.variant, Hire.id, Hire.first_working_day)
            .join(Hire, Hire.id == Enrolment.hire_id)
            .where(
                Enrolment.municipality == ctx.municipality,
                Enrolment.state == EnrolmentState.ACTIVE,
                Hire.state == HireState.PLANNED,
                Hire.first_working_day < ctx.day,
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


def _find_session(ctx: Context, series: str, day: date) -> IntroSession | None:
    return ctx.session.scalar(
        select(IntroSession).where(
            IntroSession.municipality == ctx.municipality,
            IntroSession.series == series,
            IntroSession.session_date == day,
        )
    )


def _new_session(ctx: Context, series: str, scfg: SeriesConfig, day: date) -> IntroSession:
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
    rows = [ctx.session.get_one(SessionParticipant, i) for i in ids]
    for p in rows:
        withdraw(ctx, p, by=SYSTEM_ACTOR)
    return [p.hire_id for p in rows]


def _seat(ctx: Context, s: IntroSession, place: Place, scfg: SeriesConfig) -> None:
    """Give one place of the cohort: an invitation, or the notice that the session is full."""
    p = SessionParticipant(
        session_id=s.id,
        hire_id=place.hire_id,
        reason=place.reason,
        status=P.SPILLED if place.spilled else P.INVITED,
        invited_on=ctx.day,
        updated_by=SYSTEM_ACTOR,
    )
    ctx.session.add(p)
    ctx.session.flush()
    hire = ctx.session.get_one(Hire, place.hire_id)
    ctx.audit(
        "int.spilled" if place.spilled else "int.invited",
        "int_session",
        str(s.id),
        hire=place.hire_id,
        reason=place.reason,
    )
    if place.spilled:
        spill(ctx, s, hire, scfg)
    else:
        invite(ctx, s, p, hire, scfg)


def plan_sessions(ctx: Context, series: str) -> SessionPlan:
    """INT-3: on a session-planning day, invite the cohort of the series' next session."""
    plan = SessionPlan(series)
    cfg = section(ctx.config)
    if not cfg.enabled or not ctx.calendar.is_working_day(ctx.day):
        return plan
    scfg, kind = cfg.series_of(series)
    plan.cancelled = _withdraw_cancelled(ctx, series)
    found = open_session(scfg.rule(), ctx.calendar, ctx.day, scfg.invite_working_days_before)
    if found is None:
        return plan
    session_date, _previous = found
    candidates = _candidates(ctx, cfg, series, session_date)
    existing = _find_session(ctx, series, session_date)
    taken = [] if existing is None else [p.status for p in existing.participants]
    choice = select_cohort(
        kind,
        session_date,
        candidates,
        seats_left=free_seats(scfg.capacity, taken),
        max_attempts=scfg.max_attempts,
    )
    if not choice.invite and not choice.spill:
        if existing is not None:
            plan.session_id = existing.id
        return plan
    s = existing or _new_session(ctx, series, scfg, session_date)
    plan.session_id = s.id
    for place in places(choice, candidates):
        _seat(ctx, s, place, scfg)
    ctx.session.refresh(s)
    plan.invited, plan.reinvited = list(choice.invite), list(choice.reinvite)
    plan.spilled = list(choice.spill)
    if choice.invite:
        host(ctx, s, scfg)
        for kind_, due in (
            (SESSION_ATTENDANCE, ctx.calendar.add_working_days(session_date, 1)),
            (
                SESSION_CLOSE,
                ctx.calendar.add_working_days(session_date, scfg.close_working_days_after),
            ),
        ):
            ctx.schedule(
                case_type=CaseType.INT_SESSION,
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
