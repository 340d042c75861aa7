"""Logins managed by P&O (issue 21): who has which login, and giving, resetting, disabling and
unlocking one. `poflow users` and the workspace's `/gebruikers` share what follows.

A P&O adviser never sets or sees a password: giving or resetting a login mails the person an
activation link (`poflow.auth.activation`) at their work address, where they choose it. A P&O
adviser cannot change their own login here (four eyes on access: a colleague does it). Logins
through OpenID Connect are managed at the organisation's provider and are not changed here.

Four eyes (REC-9): when a login is added or reset for someone asked in an open approval, their
links and decisions so far are void and they are asked again at their own address
(`reask_after_login_change`), whether an operator set the password (CLI) or an adviser sent
the activation (workspace).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import AccessRefused, NotFound
from poflow.approvals.reask import PersonChange, asked_in_open, reask_changed_person
from poflow.auth.accounts import disable_login, login_of, unlock_login
from poflow.auth.activation import ACTIVATE, ACTIVATION_DAYS
from poflow.auth.models import Login
from poflow.db.base import utcnow
from poflow.db.models import Person
from poflow.kernel.calendar import TZ, today
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import moment_nl
from poflow.link_tokens import revoke_links
from poflow.links import ActionLink, link_url

if TYPE_CHECKING:  # the runtime imports every process, and one of them declares the link
    from poflow.runtime import Runtime

__all__ = [
    "TEMPLATE",
    "LoginState",
    "disable_access",
    "login_states",
    "reask_after_login_change",
    "send_activation",
    "unlock_access",
]

TEMPLATE = "staff/inlog_activeren"
_VALID = timedelta(days=ACTIVATION_DAYS)


@dataclass(frozen=True, slots=True)
class LoginState:
    """How one person logs in, as P&O sees it (never a password or a secret)."""

    method: str | None  # None: no login; "local" or "oidc"
    totp: bool
    disabled_at: datetime | None
    locked_until: datetime | None  # only while the lock lasts
    activation_until: datetime | None  # a live activation link mailed, until then

    @property
    def changeable(self) -> bool:
        """Whether P&O may give, reset or disable it here (not an OIDC login)."""
        return self.method != "oidc"


def login_states(db: Session, municipality: str, now: datetime) -> dict[str, LoginState]:
    """Every login of the municipality's people, and their live activation links, by person."""
    logins = {
        login.person_id: login
        for login in db.scalars(select(Login).where(Login.municipality == municipality))
    }
    query = (
        select(ActionLink.subject_id, ActionLink.expires_at)
        .where(
            ActionLink.municipality == municipality,
            ActionLink.action == ACTIVATE,
            ActionLink.used_at.is_(None),
            ActionLink.revoked_at.is_(None),
            ActionLink.expires_at > now,
        )
        .order_by(ActionLink.id)
    )
    pending: dict[str, datetime] = {}
    for person_id, until in db.execute(query):
        pending[person_id] = until  # the newest link's, when several are live
    states = {}
    for person_id in {*logins, *pending}:
        login = logins.get(person_id)
        locked = login.locked_until if login is not None else None
        states[person_id] = LoginState(
            method=login.method if login is not None else None,
            totp=bool(login is not None and login.totp_secret),
            disabled_at=login.disabled_at if login is not None else None,
            locked_until=locked if locked is not None and locked > now else None,
            activation_until=pending.get(person_id),
        )
    return states


def reask_after_login_change(
    rt: Runtime, session: Session, person_id: str, *, actor: str
) -> str | None:
    """A login added or reset for someone asked in an open approval: their links and decisions
    are void, they are asked again at their own address and told (REC-9: whoever sets a
    password cannot decide in their place). The municipality, when asked (to send today)."""
    person = session.get(Person, person_id)
    if person is None or not asked_in_open(session, person.municipality, person_id):
        return None
    ctx = rt.context(session, person.municipality, today(), actor=actor)
    change = PersonChange(person_id, person.municipality, None, frozenset(), login_changed=True)
    reask_changed_person(ctx, change)
    return person.municipality


def _person_for(session: Session, municipality: str, person_id: str, actor: str) -> Person:
    """The person, when of `municipality` (else NotFound, as for an unknown id) and not the
    actor themselves (AccessRefused)."""
    person = session.get(Person, person_id)
    if person is None or person.municipality != municipality:
        raise NotFound(f"No person {person_id!r} in the staff register of {municipality}.")
    if person_id == actor:
        raise AccessRefused(
            "Je eigen inlog wijzig je niet zelf: vraag een collega-P&O-adviseur. "
            "Er is niets gewijzigd."
        )
    login = login_of(session, person_id)
    if login is not None and login.method == "oidc":
        raise AccessRefused(
            f"{person.full_name} logt in met het account van de organisatie (OIDC); dat "
            "beheer je bij de organisatie, niet hier. Er is niets gewijzigd."
        )
    return person


def send_activation(
    rt: Runtime, session: Session, municipality: str, person_id: str, *, actor: str
) -> str:
    """Mail the person an activation link (24 hours, single use) where they choose their own
    password: a new login ("add") or a new password for theirs ("reset"); an earlier link
    still open is revoked. Audited as `actor`; an asked person is asked again (REC-9)."""
    person = _person_for(session, municipality, person_id, actor)
    kind = "add" if login_of(session, person_id) is None else "reset"
    now = utcnow()
    revoke_links(
        session,
        case_type=CaseType.PERSON,
        case_id=person_id,
        action=ACTIVATE,
        now=now,
        reason="new_activation",
    )
    ctx = rt.context(session, municipality, today(), actor=actor)
    url = link_url(
        ctx,
        action=ACTIVATE,
        subject_id=person_id,
        case_type=CaseType.PERSON,
        case_id=person_id,
        data={"kind": kind},
        expires_days=ACTIVATION_DAYS,
    )
    ctx.mail(
        key=f"login-activation:{person_id}:{secrets.token_hex(8)}",
        template=TEMPLATE,
        to=ctx.recipient(person),
        context={
            "adres": url,
            "opnieuw": kind == "reset",
            "geldig_tot": moment_nl((now + _VALID).astimezone(TZ)),
            "personeelsnummer": person_id,
        },
        case_type=CaseType.PERSON,
        case_id=person_id,
    )
    ctx.audit("login.activation_sent", "person", person_id, kind=kind, hours=24)
    reask_after_login_change(rt, session, person_id, actor=actor)
    return kind


def disable_access(session: Session, municipality: str, person_id: str, *, actor: str) -> None:
    """Disable the person's login (their sessions end) and revoke an open activation link."""
    _person_for(session, municipality, person_id, actor)
    if login_of(session, person_id) is None:
        raise AccessRefused("Deze persoon heeft geen inlog om uit te schakelen.")
    revoke_links(
        session,
        case_type=CaseType.PERSON,
        case_id=person_id,
        action=ACTIVATE,
        reason="disabled",
    )
    disable_login(session, person_id, actor=actor)


def unlock_access(session: Session, municipality: str, person_id: str, *, actor: str) -> None:
    """End the lockout of the person's login (after too many failed attempts) before its time."""
    _person_for(session, municipality, person_id, actor)
    if not unlock_login(session, person_id, actor=actor):
        raise AccessRefused("Deze inlog is niet geblokkeerd. Er is niets gewijzigd.")
