"""Signed, single-use action links bound to one action, one case and one person.

A link's token is an itsdangerous signature over a random public id; the row behind it holds
the action, case, person, expiry and whether it was used or revoked. Each process declares the
actions its links can carry (`link_actions` of its ProcessSpec); poflow's web app shows the
confirmation page (GET, changes nothing) and performs the action on the button (POST), once.
This module mints links; `poflow.link_tokens` reads, verifies, claims and revokes them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from itsdangerous import URLSafeSerializer
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from poflow.db.base import Base, UTCDateTime, insert_rows, utcnow

__all__ = [
    "MAX_TOKEN_LENGTH",
    "SALT",
    "ActionLink",
    "FormField",
    "LinkAction",
    "link_url",
    "link_urls",
    "mint_link",
    "mint_links",
    "own_link_path",
    "serializer",
]

SALT = "poflow-action-link-v1"
# A token is 82 characters (base64 of {"l": <32 hex>}, ".", a 27-character signature: measured
# over 20,000 minted tokens). Anything longer is refused before a byte of it is decoded.
MAX_TOKEN_LENGTH = 256


class ActionLink(Base):
    """One issued link. Its token never lives in the database, only its public id."""

    __tablename__ = "action_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    action: Mapped[str] = mapped_column(String(48))
    municipality: Mapped[str] = mapped_column(String(64))
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(40))  # the person the link was mailed to
    step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # ids only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was revoked, for the refusal page: "new_terms", "person_changed"; None: not said.
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_action_link_case", "case_type", "case_id"),)


@dataclass(frozen=True)
class FormField:
    """One input on a link's confirmation page (e.g. an optional note, a reason, a score)."""

    name: str
    label: str  # Dutch, shown to the person
    kind: Literal["text", "textarea", "select", "date", "password"] = "text"
    required: bool = False
    max_length: int = 2000
    choices: tuple[tuple[str, str], ...] = ()  # (value, Dutch label) for "select"
    personal: bool = True  # personal data: stored, never logged or sent to Prefect
    # Shown under the label instead of the length ("Minstens 12 tekens"); a "password" is
    # never shown again on the page, not even after an error.
    hint: str = ""


# perform(ctx, link, form) returns the Dutch message shown after the button; it raises a
# PoflowError subclass (with a Dutch-friendly message) to refuse.
Perform = Callable[[Any, ActionLink, dict[str, str]], str]
Describe = Callable[[Any, ActionLink], str]


@dataclass(frozen=True)
class LinkAction:
    """What a link can do: its Dutch texts, its form, and the function that performs it."""

    name: str
    title: str  # the action, named before it is done: "Punt afvinken", "Gevoerd gesprek vastleggen"
    describe: Describe  # the confirmation text on the page (GET)
    perform: Perform  # the state change (POST)
    fields: tuple[FormField, ...] = ()
    expires_days: int = 14
    single_use: bool = True
    button: str = "Bevestigen"
    extra: dict[str, Any] = field(default_factory=dict)
    # Whether the page asks for the logged-in person the link was mailed to (the link's
    # subject): True for decisions, False only for low-risk acknowledgements (README's table).
    needs_login: bool = True
    # What the link records, said after it happened ("punt afgevinkt"): the result page and a
    # used link's page name it, with who and when. Empty: the title is used.
    done: str = ""
    # What the action is about, short ("‘Laptop klaarzetten’ voor Sanne de Vries"): the page's
    # heading follows the title with it. None: the title alone.
    subject: Describe | None = None


DEFAULT_EXPIRES_DAYS = 14  # when neither the caller nor links.yaml says how long


def serializer(secret: str | Sequence[str]) -> URLSafeSerializer:
    """The links' serializer for one key or for keys given current first (Settings.signing_keys):
    it signs with the first and verifies with any (itsdangerous wants the newest last)."""
    keys = [secret] if isinstance(secret, str) else list(secret)
    return URLSafeSerializer(keys[::-1], salt=SALT)


def _new_link(
    *,
    action: str,
    municipality: str,
    case_type: str,
    case_id: str,
    subject_id: str,
    step_id: int | None = None,
    data: dict[str, Any] | None = None,
    expires_days: int | None = None,
    now: datetime,
) -> dict[str, Any]:
    """The column values of one new link (a fresh random public id)."""
    days = expires_days if expires_days is not None else DEFAULT_EXPIRES_DAYS
    return {
        "public_id": secrets.token_hex(16),
        "action": action,
        "municipality": municipality,
        "case_type": case_type,
        "case_id": case_id,
        "subject_id": subject_id,
        "step_id": step_id,
        "data": data or {},
        "created_at": now,
        "expires_at": now + timedelta(days=days),
    }


def mint_link(
    session: Session,
    *,
    secret: str | Sequence[str],
    action: str,
    municipality: str,
    case_type: str,
    case_id: str,
    subject_id: str,
    step_id: int | None = None,
    data: dict[str, Any] | None = None,
    expires_days: int | None = None,
    now: datetime | None = None,
) -> str:
    """Issue a link and return its token (put it in a URL with `link_url`)."""
    values = _new_link(
        action=action,
        municipality=municipality,
        case_type=case_type,
        case_id=case_id,
        subject_id=subject_id,
        step_id=step_id,
        data=data,
        expires_days=expires_days,
        now=now or utcnow(),
    )
    # The token needs only the public id: the row goes in at the next flush.
    session.add(ActionLink(**values))
    return serializer(secret).dumps({"l": values["public_id"]})


def mint_links(
    session: Session,
    *,
    secret: str | Sequence[str],
    links: list[dict[str, Any]],
    now: datetime | None = None,
) -> list[str]:
    """Issue many links with one INSERT; `links` holds mint_link's keyword arguments.

    Returns the tokens in the same order. The rows are written at once (not at a flush).
    """
    now = now or utcnow()
    rows = [_new_link(**spec, now=now) for spec in links]
    if rows:
        insert_rows(session, ActionLink.__table__, rows)
    # serializer.dumps() derives the signing key anew for every token: once is enough.
    signing = serializer(secret)
    signer = signing.make_signer(SALT)
    return [
        signer.sign(signing.dump_payload({"l": row["public_id"]})).decode("ascii") for row in rows
    ]


def _expires_days(ctx: Any, action: str) -> int:
    """How long a link for `action` lives in the context's municipality (links.yaml); a link
    action no process declares is refused."""
    known = ctx.registry.link_actions.get(action)
    if known is None:
        raise ValueError(f"No process declares the link action {action!r}")
    links_cfg = ctx.config.sections.get("links")
    if links_cfg is None:
        return int(known.expires_days)
    return int(links_cfg.expires_days.get(action, links_cfg.default_expires_days))


def own_link_path(
    session: Session,
    secret: str | Sequence[str],
    *,
    action: str,
    case_type: str,
    case_id: str,
    person_id: str,
    now: datetime | None = None,
) -> str | None:
    """The path ("/a/<token>") of the live link for `action` on this case that was mailed to
    `person_id` (not used, revoked or expired), newest first; None when there is none. For a
    logged-in person's own pages: the link's page still checks everything itself."""
    now = now or utcnow()
    public_id = session.scalar(
        select(ActionLink.public_id)
        .where(
            ActionLink.action == action,
            ActionLink.case_type == case_type,
            ActionLink.case_id == case_id,
            ActionLink.subject_id == person_id,
            ActionLink.used_at.is_(None),
            ActionLink.revoked_at.is_(None),
            ActionLink.expires_at > now,
        )
        .order_by(ActionLink.id.desc())
        .limit(1)
    )
    return f"/a/{serializer(secret).dumps({'l': public_id})}" if public_id else None


def link_url(
    ctx: Any,
    *,
    action: str,
    subject_id: str,
    case_type: str,
    case_id: str,
    step_id: int | None = None,
    data: dict[str, Any] | None = None,
    expires_days: int | None = None,
) -> str:
    """Mint a link from an engine Context and return the full URL for a mail; it lives as long
    as links.yaml says for `action`, or `expires_days` when given. Every link put into a mail
    is minted here or in `link_urls`: both refuse a key anyone may know off loopback."""
    configured = _expires_days(ctx, action)  # also refuses an action no process declares
    ctx.settings.refuse_insecure_secrets()
    token = mint_link(
        ctx.session,
        secret=ctx.settings.signing_keys(),
        action=action,
        municipality=ctx.municipality,
        case_type=case_type,
        case_id=case_id,
        subject_id=subject_id,
        step_id=step_id,
        data=data,
        expires_days=configured if expires_days is None else expires_days,
    )
    return f"{ctx.settings.resolved_base_url()}/a/{token}"


def link_urls(links: list[tuple[Any, dict[str, Any]]]) -> list[str]:
    """link_url for many links at once (one INSERT): each item is an engine Context (its
    municipality's) and link_url's arguments. All contexts share one session and settings."""
    if not links:
        return []
    first = links[0][0]
    first.settings.refuse_insecure_secrets()
    days: dict[tuple[str, str], int | None] = {}
    specs = []
    for ctx, spec in links:
        action, slug = spec["action"], ctx.municipality
        if (slug, action) not in days:
            days[slug, action] = _expires_days(ctx, action)
        specs.append({**spec, "municipality": slug, "expires_days": days[slug, action]})
    tokens = mint_links(first.session, secret=first.settings.signing_keys(), links=specs)
    base = first.settings.resolved_base_url()
    return [f"{base}/a/{token}" for token in tokens]
