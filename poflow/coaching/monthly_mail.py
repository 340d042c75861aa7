"""The coach's monthly mail: this month's form links, a new registration and one link per open
trajectory (LBC-1), once per coach and month (X-1); trajectories by number only (LBC-3)."""

from __future__ import annotations

from sqlalchemy import select

from poflow.coaching.links import register_link, update_link
from poflow.coaching.states import STATE_LABELS
from poflow.coaching.status import open_trajectories
from poflow.db.models import Outbox
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType, Role

__all__ = ["LINKS_MAIL", "mail_coach_links"]

LINKS_MAIL = "coaching/formulieren"


def mail_coach_links(ctx: Context) -> int:
    """Mail each coach this month's form links: a new registration, and one per open trajectory.

    Once per coach per month (X-1). The mail names trajectories by number only (LBC-3).
    Returns how many mails were queued.
    """
    queued = 0
    month = ctx.day.strftime("%Y-%m")
    for coach in ctx.people_with_role(Role.LOOPBAANCOACH):
        key = f"lbc.links:{ctx.municipality}:{coach.id}:{month}"
        if ctx.session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
            continue  # already mailed this month: mint no new links
        open_ones = open_trajectories(ctx.session, ctx.municipality, coach.id)
        trajecten = [
            {
                "ref": r.ref,
                "aangemeld": r.registered_on,
                "stand": STATE_LABELS[r.state],
                "link": update_link(ctx, r),
            }
            for r in open_ones
        ]
        if (
            ctx.mail(
                key=key,
                template=LINKS_MAIL,
                to=ctx.recipient(coach),
                case_type=CaseType.COACHING,
                case_id=coach.id,
                context={"aanmelden": register_link(ctx, coach.id), "trajecten": trajecten},
            )
            is not None
        ):
            ctx.audit("coaching.links_mailed", CaseType.COACHING, coach.id, open=len(trajecten))
            queued += 1
    return queued
