"""What a link page says about its action: the heading before the click (the action named, not
yet done) and, after it or on a link used before, what was recorded, by whom and when (X-1):
read from the link row (`used_at`) and its `link.used` audit row (the actor)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import PoflowError
from poflow.db.models import AuditEntry, Hire, Person
from poflow.engine import Context
from poflow.kernel.calendar import TIMEZONE
from poflow.kernel.wording import moment_nl
from poflow.links import ActionLink, LinkAction

__all__ = ["heading", "recorded_line", "used_line"]


def _subject(ctx: Context, row: ActionLink, action: LinkAction) -> str | None:
    if action.subject is None:
        return None
    try:
        return str(action.subject(ctx, row))
    except (PoflowError, LookupError):  # the item is gone: the title alone still reads right
        return None


def heading(ctx: Context, row: ActionLink, action: LinkAction) -> str:
    """The page's heading: the action, and what it is about ("Punt afvinken: ‘…’ voor …")."""
    subject = _subject(ctx, row, action)
    return f"{action.title}: {subject}" if subject else action.title


def _what(ctx: Context, row: ActionLink, action: LinkAction) -> str:
    done = action.done or action.title.lower()
    subject = _subject(ctx, row, action)
    return f"{done} ({subject})" if subject else done


def _name(session: Session, person_id: str | None) -> str:
    """The actor's name: a staff member, or a new colleague (who acts by link before day one)."""
    found = (session.get(Person, person_id) or session.get(Hire, person_id)) if person_id else None
    return found.full_name if found is not None else "iemand"


def _moment(at: datetime | None) -> str:
    return moment_nl(at.astimezone(ZoneInfo(TIMEZONE))) if at is not None else "een eerder moment"


def recorded_line(ctx: Context, row: ActionLink, action: LinkAction) -> str:
    """After the button: 'Vastgelegd door … op … om … uur: punt afgevinkt (…).'"""
    return (
        f"Vastgelegd door {_name(ctx.session, ctx.actor)} op {_moment(row.used_at)}: "
        f"{_what(ctx, row, action)}."
    )


def used_line(ctx: Context, row: ActionLink, action: LinkAction | None) -> str:
    """For a link used before: what it recorded, by whom (the `link.used` audit row's actor)
    and when (the link's `used_at`)."""
    actor = ctx.session.scalar(
        select(AuditEntry.actor)
        .where(
            AuditEntry.action == "link.used",
            AuditEntry.entity_type == "action_link",
            AuditEntry.entity_id == str(row.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    what = _what(ctx, row, action) if action is not None else "deze handeling"
    return (
        f"Op {_moment(row.used_at)} heeft {_name(ctx.session, actor)} met deze link "
        f"vastgelegd: {what}."
    )
