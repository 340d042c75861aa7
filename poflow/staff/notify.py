"""Tell the second pair of eyes: when an import leaves approval-role grants waiting, P&O's team
mailbox of the municipality gets one mail with the review page's address (REC-9).

Not the requester: they may not confirm their own grants. The mail is queued in the import's
transaction, once per import and municipality (X-1); the page asks for a login.
"""

from __future__ import annotations

from poflow.db.models import Outbox
from poflow.engine import Context
from poflow.kernel.vocabulary import CaseType
from poflow.staff.review import batch_of

__all__ = ["TEMPLATE", "announce_batch", "review_path"]

TEMPLATE = "staff/rollen_bevestigen"


def review_path(batch: str) -> str:
    """The review page of one import's grants."""
    return f"/rollen/{batch}"


def announce_batch(ctx: Context, batch: str) -> Outbox | None:
    """Queue the mail about `batch`'s waiting grants in `ctx`'s municipality to its P&O
    mailbox; None when none wait there or it was queued before."""
    waiting = batch_of(ctx.session, ctx.municipality, batch)
    if waiting is None:
        return None
    base = ctx.settings.resolved_base_url().rstrip("/")
    return ctx.mail(
        key=f"role-grants:{batch}:{ctx.municipality}",
        template=TEMPLATE,
        to=ctx.po_recipient(),
        context={"aanvraag": waiting, "adres": f"{base}{review_path(batch)}"},
        case_type=CaseType.ROLE_GRANTS,
        case_id=batch,
    )
