"""Using an action link: reading its token at bounded cost, verifying it, claiming it once, and
revoking a case's unused links (see `poflow.links` for minting them)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime

from itsdangerous import BadData
from itsdangerous.encoding import base64_decode
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from poflow._exceptions import LinkRefused
from poflow.db.base import rowcount, utcnow
from poflow.links import MAX_TOKEN_LENGTH, SALT, ActionLink, serializer

__all__ = ["claim_link", "read_token", "revoke_links", "verify_token"]


def read_token(secret: str | Sequence[str], token: str) -> tuple[str | None, bool]:
    """The public id a token names, and whether its signature is right; read at bounded cost.

    `secret` is one key or the keys current first (Settings.signing_keys): a signature by any
    of them is right, so links signed before a key rotation work until they expire.

    A token longer than MAX_TOKEN_LENGTH is not looked at; a compressed payload (itsdangerous'
    "." prefix, which poflow never makes) is refused unread, so nothing is ever inflated; the
    signature is checked on the raw characters before the payload is decoded. The public id of
    a payload whose signature is wrong is still returned (an altered link is told from a forged
    one by it); (None, False) when the token names no public id at all.
    """
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or token.startswith("."):
        return None, False
    value, dot, signature = token.rpartition(".")
    if not dot:
        return None, False
    signer = serializer(secret).make_signer(SALT)
    signed_ok = signer.verify_signature(value.encode("ascii"), signature.encode("ascii"))
    public_id = _public_id(value)
    return public_id, signed_ok and public_id is not None


def _public_id(value: str) -> str | None:
    """The "l" of a token's (uncompressed, at most MAX_TOKEN_LENGTH long) JSON payload."""
    try:
        payload = json.loads(base64_decode(value))
    except (BadData, ValueError):  # not base64, not JSON (nor UTF-8)
        return None
    public_id = payload.get("l") if isinstance(payload, dict) else None
    return public_id if isinstance(public_id, str) and len(public_id) <= 64 else None


def verify_token(
    session: Session,
    *,
    secret: str | Sequence[str],
    token: str,
    now: datetime | None = None,
    reusable: Collection[str] = (),
) -> ActionLink:
    """Return the link behind `token` if it can be used now; else LinkRefused saying why.

    Reasons: "forged" (bad signature or unknown id), "revoked", "used", "expired". The token is
    read with `read_token` (length capped, never decompressed).
    """
    public_id, signed_ok = read_token(secret, token)
    if not signed_ok:
        raise LinkRefused("forged", "This link is not valid: it was altered or not made by poflow.")
    row = session.scalar(select(ActionLink).where(ActionLink.public_id == public_id))
    if row is None:
        raise LinkRefused("forged", "This link is not known to poflow.")
    now = now or utcnow()
    if row.revoked_at is not None:
        raise LinkRefused("revoked", f"Link {row.public_id[:8]} was revoked.")
    if row.used_at is not None and row.action not in reusable:
        raise LinkRefused("used", f"Link {row.public_id[:8]} was already used.")
    if now >= row.expires_at:
        raise LinkRefused("expired", f"Link {row.public_id[:8]} expired.")
    return row


def claim_link(
    session: Session,
    row: ActionLink,
    *,
    now: datetime | None = None,
    reusable: Collection[str] = (),
) -> None:
    """Mark the link used, atomically: a second claim (a double click, a race) is refused.

    `reusable` names the link actions that are not single-use (Registry.reusable_links)."""
    now = now or utcnow()
    if row.action in reusable:
        session.execute(update(ActionLink).where(ActionLink.id == row.id).values(used_at=now))
        return
    result = session.execute(
        update(ActionLink)
        .where(
            ActionLink.id == row.id, ActionLink.used_at.is_(None), ActionLink.revoked_at.is_(None)
        )
        .values(used_at=now)
    )
    if rowcount(result) != 1:
        raise LinkRefused("used", f"Link {row.public_id[:8]} was already used.")


def revoke_links(
    session: Session,
    *,
    case_type: str,
    case_id: str,
    action: str | None = None,
    now: datetime | None = None,
    reason: str | None = None,
    subject_id: str | None = None,
) -> int:
    """Revoke the case's unused links (e.g. when the hire is cancelled or moved); `reason`
    (e.g. "new_terms") tells the refusal page why, `subject_id` limits it to one person's."""
    query = update(ActionLink).where(
        ActionLink.case_type == case_type,
        ActionLink.case_id == case_id,
        ActionLink.used_at.is_(None),
        ActionLink.revoked_at.is_(None),
    )
    if action:
        query = query.where(ActionLink.action == action)
    if subject_id:
        query = query.where(ActionLink.subject_id == subject_id)
    values = {"revoked_at": now or utcnow(), "revoked_reason": reason}
    return rowcount(session.execute(query.values(**values)))
