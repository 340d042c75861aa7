"""The mails of the places in a group session, sent as a planning pass seats its cohort (INT-3):
the invitation with its answer links (and the reminder it schedules), the host's list of
participants, and the notice to whom the session was too full for.
"""

from __future__ import annotations

from poflow.db.models import Hire
from poflow.engine import Context
from poflow.introduction.cohort import PlaceReason
from poflow.introduction.config import SeriesConfig
from poflow.introduction.kinds import LINK_NO, LINK_YES, SESSION_REMIND
from poflow.introduction.mailing import action_url, participant_invitation, session_context
from poflow.introduction.models import IntroSession, SessionParticipant
from poflow.introduction.rules import next_session
from poflow.introduction.states import OPEN
from poflow.kernel.vocabulary import CaseType

__all__ = ["host", "invite", "spill"]


def invite(
    ctx: Context, s: IntroSession, p: SessionParticipant, hire: Hire, scfg: SeriesConfig
) -> None:
    """Invite the hire of place `p` at the work address (where the calendar is), with .ics and
    yes/no links, and schedule the reminder."""
    to = ctx.hire_invitee(hire)
    yes, no = (
        action_url(
            ctx,
            action=name,
            subject_id=hire.id,
            case_type=CaseType.HIRE,
            case_id=hire.id,
            valid_until=s.session_date,
            data={"participant": p.id},
        )
        for name in (LINK_YES, LINK_NO)
    )
    ctx.mail(
        key=f"int.invite:{s.id}:{hire.id}",
        template="introduction/sessie_uitnodiging",
        to=to,
        context={
            **session_context(s),
            "herkansing": p.reason == PlaceReason.MAKEUP,
            "link_ja": yes,
            "link_nee": no,
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        invitation=participant_invitation(ctx, s, to, hire.id),
    )
    ctx.schedule(
        case_type=CaseType.HIRE,
        case_id=hire.id,
        kind=SESSION_REMIND,
        key=f"{SESSION_REMIND}:{p.id}",
        due=ctx.calendar.add_working_days(s.session_date, -scfg.reminder_working_days_before),
    )


def host(ctx: Context, s: IntroSession, scfg: SeriesConfig) -> None:
    """Send the hosts of the series (e.g. the gemeentesecretaris) the session with who comes."""
    if scfg.host_role is None:
        return
    names = [
        ctx.session.get_one(Hire, p.hire_id).full_name for p in s.participants if p.status in OPEN
    ]
    for person in ctx.people_with_role(scfg.host_role):
        to = ctx.recipient(person)
        ctx.mail(
            key=f"int.host:{s.id}:{person.id}",
            template="introduction/sessie_gastheer",
            to=to,
            context={**session_context(s), "deelnemers": names},
            case_type=CaseType.INT_SESSION,
            case_id=str(s.id),
            invitation=participant_invitation(ctx, s, to, f"host-{person.id}"),
        )


def spill(ctx: Context, s: IntroSession, hire: Hire, scfg: SeriesConfig) -> None:
    """Tell the hire the session is full and when the next one is."""
    ctx.mail(
        key=f"int.spill:{s.id}:{hire.id}",
        template="introduction/sessie_vol",
        to=ctx.hire_recipient(hire),
        context={
            **session_context(s),
            "volgende": next_session(scfg.rule(), ctx.calendar, s.session_date),
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
    )
