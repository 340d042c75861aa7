"""Answers, reminders and attendance of group sessions (INT-3); attendance of a module certifies it."""

from __future__ import annotations

from sqlalchemy import select

from poflow._exceptions import IllegalTransition, NotFound
from poflow.db.base import utcnow
from poflow.db.models import Action, Hire
from poflow.engine import Context, Handler
from poflow.introduction.common import action_url, section
from poflow.introduction.models import IntroSession, SessionParticipant, SessionState
from poflow.introduction.portfolio import issue_certificate
from poflow.introduction.rules import OPEN, ParticipationStatus, check_participation
from poflow.introduction.sessions import (
    ATTENDANCE,
    CLOSE,
    REMIND,
    session_context,
)
from poflow.states import HireState

__all__ = ["answer_invitation", "participant", "record_attendance", "set_status"]

P = ParticipationStatus


def set_status(
    ctx: Context, p: SessionParticipant, target: ParticipationStatus, *, by: str
) -> None:
    """Move a participation to `target`, checked and audited (X-4)."""
    check_participation(
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
    if ctx.day > p.session.session_date:
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
    if ctx.day < s.session_date:
        raise IllegalTransition(
            f"Cannot record attendance of hire {p.hire_id} for session "
            f"{s.id} before it takes place on {s.session_date}."
        )
    target = P.ATTENDED if attended else P.MISSED
    if p.status == target:
        return
    set_status(ctx, p, target, by=by)
    if attended and s.series not in ("start", "evaluatie"):
        hire = ctx.session.get(Hire, p.hire_id)
        assert hire is not None
        issue_certificate(
            ctx,
            hire,
            item=s.series,
            title=section(ctx.config).item(s.series).title,
            completed_on=s.session_date,
            source="aanwezig",
        )


def _participant_of(ctx: Context, action: Action) -> SessionParticipant | None:
    p = ctx.session.get(SessionParticipant, int(action.key.rsplit(":", 1)[1]))
    if p is None or p.status not in OPEN:
        return None
    hire = ctx.session.get(Hire, p.hire_id)
    if hire is None or hire.state == HireState.CANCELLED:
        return None
    return p


def remind_participant(ctx: Context, action: Action) -> bool:
    """Remind an invitee shortly before the session (INT-3); skipped after a decline."""
    p = _participant_of(ctx, action)
    if p is None or ctx.day > p.session.session_date:
        return False
    hire = ctx.session.get(Hire, p.hire_id)
    assert hire is not None
    link = action_url(
        ctx,
        action="int.sessie_nee",
        subject_id=hire.id,
        case_type="hire",
        case_id=hire.id,
        valid_until=p.session.session_date,
        data={"participant": p.id},
    )
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="introduction/sessie_herinnering",
        to=ctx.hire_recipient(hire),
        context={**session_context(ctx, p.session), "link_nee": link},
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def ask_for_attendance(ctx: Context, action: Action) -> bool:
    """The day after a session, P&O gets the list with a present and an absent link per person."""
    s = ctx.session.get(IntroSession, int(action.case_id))
    if s is None:
        return False
    places = [p for p in s.participants if p.status in (*OPEN, P.DECLINED)]
    if not places:
        return False
    role = section(ctx.config).attendance_role
    for person in ctx.people_with_role(role):
        rows = []
        for p in places:
            hire = ctx.session.get(Hire, p.hire_id)
            assert hire is not None
            links = [
                action_url(
                    ctx,
                    action=name,
                    subject_id=person.id,
                    case_type="int_session",
                    case_id=str(s.id),
                    valid_until=ctx.day,
                    data={"participant": p.id},
                )
                for name in ("int.aanwezig", "int.afwezig")
            ]
            rows.append(
                {
                    "naam": hire.full_name,
                    "hire_id": hire.id,
                    "status": p.status.value,
                    "link_aanwezig": links[0],
                    "link_afwezig": links[1],
                }
            )
        ctx.mail(
            key=f"{action.key}:{person.id}",
            template="introduction/aanwezigheid",
            to=ctx.recipient(person),
            context={**session_context(ctx, s), "rijen": rows},
            case_type="int_session",
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
        if p.status in OPEN:
            set_status(ctx, p, P.MISSED, by="system")
    s.state = SessionState.CLOSED
    ctx.audit(
        "int.session.closed",
        "int_session",
        str(s.id),
        attended=sum(p.status == P.ATTENDED for p in s.participants),
        missed=sum(p.status in (P.MISSED, P.DECLINED) for p in s.participants),
    )
    return True


# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    REMIND: remind_participant,
    ATTENDANCE: ask_for_attendance,
    CLOSE: close_session,
}
