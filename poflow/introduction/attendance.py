"""The places in a group session (INT-3, INT-4): answers, attendance and withdrawal, each a move
checked by PARTICIPATION_STATES, and the dated actions of a session (the invitee's reminder, the
attendance list to P&O, closing). Attending a classroom module certifies it.
"""

from __future__ import annotations

from sqlalchemy import select

from poflow._exceptions import IllegalTransition, NotFound
from poflow.db.base import utcnow
from poflow.db.models import Action, Hire
from poflow.engine import SYSTEM_ACTOR, TZ, Context
from poflow.introduction.config import section
from poflow.introduction.kinds import LINK_ABSENT, LINK_NO, LINK_PRESENT
from poflow.introduction.mailing import action_url, participant_invitation, session_context
from poflow.introduction.models import IntroSession, SessionParticipant
from poflow.introduction.portfolio import issue_certificate
from poflow.introduction.rules import (
    certifies,
    closing_status,
    may_answer,
    may_record_attendance,
)
from poflow.introduction.states import (
    ON_ATTENDANCE_LIST,
    OPEN,
    PARTICIPATION_STATES,
    SESSION_STATES,
    ParticipationStatus,
    SessionState,
)
from poflow.kernel.vocabulary import CaseType, Role
from poflow.states import HireState

__all__ = [
    "answer_invitation",
    "ask_for_attendance",
    "close_session",
    "participant",
    "record_attendance",
    "record_attendances",
    "remind_participant",
    "set_status",
    "withdraw",
]

P = ParticipationStatus


def set_status(
    ctx: Context, p: SessionParticipant, target: ParticipationStatus, *, by: str
) -> None:
    """Move a participation to `target`, checked and audited (X-4)."""
    PARTICIPATION_STATES.check(
        f"the place of hire {p.hire_id} in session {p.session_id}", p.status, target
    )
    old = p.status
    p.status, p.updated_by, p.updated_at = target, by, utcnow()
    ctx.audit(
        "int.participant",
        "int_session",
        str(p.session_id),
        hire=p.hire_id,
        old=old.value,
        new=target.value,
        by=by,
    )


def participant(ctx: Context, session_id: int, hire_id: str) -> SessionParticipant:
    """The place of a hire in a session, or NotFound."""
    p = ctx.session.scalar(
        select(SessionParticipant).where(
            SessionParticipant.session_id == session_id, SessionParticipant.hire_id == hire_id
        )
    )
    if p is None:
        raise NotFound(f"Hire {hire_id} was not invited to session {session_id}")
    return p


def answer_invitation(ctx: Context, p: SessionParticipant, *, accept: bool, by: str) -> None:
    """The invitee accepts or declines; a decline means a new invitation for the next session."""
    if not may_answer(ctx.day, p.session.session_date):
        raise IllegalTransition(
            f"Cannot answer the invitation of hire {p.hire_id} to session "
            f"{p.session_id}: the session on {p.session.session_date} is over."
        )
    target = P.ACCEPTED if accept else P.DECLINED
    if p.status != target:
        set_status(ctx, p, target, by=by)


def record_attendance(ctx: Context, p: SessionParticipant, *, attended: bool, by: str) -> None:
    """P&O records who was there; a classroom module attended gives a certificate (INT-4)."""
    s = p.session
    if not may_record_attendance(ctx.day, s.session_date):
        raise IllegalTransition(
            f"Cannot record attendance of hire {p.hire_id} for session "
            f"{s.id} before it takes place on {s.session_date}."
        )
    target = P.ATTENDED if attended else P.MISSED
    if p.status == target:
        return
    set_status(ctx, p, target, by=by)
    if attended and certifies(s.series):
        issue_certificate(
            ctx,
            ctx.session.get_one(Hire, p.hire_id),
            item=s.series,
            title=section(ctx.config).item(s.series).title,
            completed_on=s.session_date,
            source="aanwezig",
        )


def record_attendances(
    ctx: Context, session_id: int, *, present: list[str], absent: list[str], by: str
) -> None:
    """P&O records who was at a session and who was not (hire ids), in one transaction: the
    command line and the workspace both record through here."""
    for hire_id, was in [*((h, True) for h in present), *((h, False) for h in absent)]:
        record_attendance(ctx, participant(ctx, session_id, hire_id), attended=was, by=by)


def withdraw(ctx: Context, p: SessionParticipant, *, by: str) -> None:
    """Cancel one place in a session and send the person a calendar cancellation."""
    set_status(ctx, p, P.CANCELLED, by=by)
    hire = ctx.session.get_one(Hire, p.hire_id)
    to = ctx.hire_invitee(hire)  # where its invitation went
    s = p.session
    ctx.mail(
        key=f"int.withdraw:{s.id}:{hire.id}",
        template="afspraak_geannuleerd",
        to=to,
        context={
            "titel": s.title,
            "start": s.starts_at.astimezone(TZ),
            "locatie": s.location,
            "voor_medewerker": True,
        },
        case_type=CaseType.INT_SESSION,
        case_id=str(s.id),
        invitation=participant_invitation(ctx, s, to, hire.id, cancelled=True),
    )


def _participant_of(ctx: Context, action: Action) -> tuple[SessionParticipant, Hire] | None:
    p = ctx.session.get(SessionParticipant, int(action.key.rsplit(":", 1)[1]))
    if p is None or p.status not in OPEN:
        return None
    hire = ctx.session.get(Hire, p.hire_id)
    if hire is None or hire.state == HireState.CANCELLED:
        return None
    return p, hire


def remind_participant(ctx: Context, action: Action) -> bool:
    """Remind an invitee shortly before the session (INT-3); skipped after a decline."""
    found = _participant_of(ctx, action)
    if found is None or not may_answer(ctx.day, found[0].session.session_date):
        return False
    p, hire = found
    link = action_url(
        ctx,
        action=LINK_NO,
        subject_id=hire.id,
        case_type=CaseType.HIRE,
        case_id=hire.id,
        valid_until=p.session.session_date,
        data={"participant": p.id},
    )
    ctx.mail(
        key=f"{action.key}:{Role.MEDEWERKER}",
        template="introduction/sessie_herinnering",
        to=ctx.hire_recipient(hire),
        context={**session_context(p.session), "link_nee": link},
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    return True


def ask_for_attendance(ctx: Context, action: Action) -> bool:
    """The day after a session, P&O gets the list with a present and an absent link per person."""
    s = ctx.session.get(IntroSession, int(action.case_id))
    if s is None:
        return False
    places = [p for p in s.participants if p.status in ON_ATTENDANCE_LIST]
    if not places:
        return False
    role = section(ctx.config).attendance_role
    for person in ctx.people_with_role(role):
        rows = []
        for p in places:
            hire = ctx.session.get_one(Hire, p.hire_id)
            present, absent = (
                action_url(
                    ctx,
                    action=name,
                    subject_id=person.id,
                    case_type=CaseType.INT_SESSION,
                    case_id=str(s.id),
                    valid_until=ctx.day,
                    data={"participant": p.id},
                )
                for name in (LINK_PRESENT, LINK_ABSENT)
            )
            rows.append(
                {
                    "naam": hire.full_name,
                    "hire_id": hire.id,
                    "status": p.status.value,
                    "link_aanwezig": present,
                    "link_afwezig": absent,
                }
            )
        ctx.mail(
            key=f"{action.key}:{person.id}",
            template="introduction/aanwezigheid",
            to=ctx.recipient(person),
            context={**session_context(s), "rijen": rows},
            case_type=CaseType.INT_SESSION,
            case_id=str(s.id),
            action=action,
        )
    return True


def close_session(ctx: Context, action: Action) -> bool:
    """Attendance not recorded by now counts as missed: the next session re-invites (INT-3)."""
    s = ctx.session.get(IntroSession, int(action.case_id))
    if s is None or s.state == SessionState.CLOSED:
        return False
    for p in s.participants:
        target = closing_status(p.status)
        if target is not None:
            set_status(ctx, p, target, by=SYSTEM_ACTOR)
    SESSION_STATES.check(f"session {s.id}", s.state, SessionState.CLOSED)
    s.state = SessionState.CLOSED
    ctx.audit(
        "int.session.closed",
        "int_session",
        str(s.id),
        attended=sum(p.status == P.ATTENDED for p in s.participants),
        missed=sum(p.status in (P.MISSED, P.DECLINED) for p in s.participants),
    )
    return True
