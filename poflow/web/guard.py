"""What protects a link page: the CSRF token bound to the link and a cookie, the origin of a
POST, and why a link is refused (forged, altered, expired, used, revoked), told in Dutch."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.kernel.calendar import TIMEZONE
from poflow.kernel.wording import moment_nl
from poflow.link_tokens import read_token
from poflow.links import ActionLink

__all__ = [
    "CSRF_COOKIE",
    "REVOKED_BECAUSE",
    "Refusal",
    "csrf_token",
    "csrf_valid",
    "describe_refusal",
    "link_behind",
    "new_nonce",
    "same_origin",
    "token_fingerprint",
]

CSRF_COOKIE = "poflow_csrf"


def new_nonce() -> str:
    """A fresh random value for the CSRF cookie."""
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, public_id: str, nonce: str) -> str:
    """The hidden form value: an HMAC over the link's public id and the cookie's nonce, keyed
    with `secret` (the current key: Settings.signing_keys()[0])."""
    message = f"csrf:{public_id}:{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def csrf_valid(
    keys: str | Sequence[str], public_id: str, nonce: str | None, sent: str | None
) -> bool:
    """True when the posted value belongs to this link and to the cookie sent with it, made
    with any of `keys` (the keys current first: a page shown before a key rotation works)."""
    if not nonce or not sent:
        return False
    tried = [keys] if isinstance(keys, str) else keys
    return any(hmac.compare_digest(csrf_token(key, public_id, nonce), sent) for key in tried)


def _origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, the default port left out; None if not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a port that is no number, an unbalanced [ in the host
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def same_origin(base_url: str, origin: str | None, referer: str | None) -> bool | None:
    """Whether a POST came from poflow's own pages: its Origin header (or, without one, its
    Referer) against the origin of the base URL. None when neither header was sent (the CSRF
    check decides alone); False for any other origin, "null" included."""
    sent = origin if origin is not None else (referer or None)
    if sent is None:
        return None
    mine = _origin(base_url)
    return mine is not None and _origin(sent) == mine


def token_fingerprint(token: str) -> str:
    """A short hash of a token for the audit log (the token itself is a credential)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def link_behind(
    session: Session, secret: str | Sequence[str], token: str
) -> tuple[ActionLink | None, bool]:
    """The link row a token points at, even when its signature is wrong, and whether it is right.

    A token whose payload names a real link but whose signature does not match was altered
    (often: cut off by a mail program); one that names no link at all was forged. The token is
    read with `read_token`: an overlong or compressed one names no link and costs nothing.
    `secret` is one key or the keys current first (Settings.signing_keys).
    """
    public_id, signed_ok = read_token(secret, token)
    if public_id is None:
        return None, False
    row = session.scalar(select(ActionLink).where(ActionLink.public_id == public_id))
    return row, signed_ok


@dataclass(frozen=True)
class Refusal:
    """A refused link or request, as shown to the person: reason code, Dutch title and text."""

    reason: str
    title: str
    text: str
    status: int


# Why a link was revoked (ActionLink.revoked_reason), as its page says it.
REVOKED_BECAUSE = {
    "new_terms": "Deze link is vervangen door nieuwe voorwaarden: je krijgt (of kreeg) een "
    "nieuwe mail met een link om over de nieuwe versie te beslissen.",
    "new_selection": "Deze link is vervangen: het MT-lid heeft opnieuw geselecteerd en je krijgt "
    "(of kreeg) een nieuwe mail met een link om die selectie te bevestigen.",
    "person_changed": "Deze link is ingetrokken omdat je gegevens of rollen in het "
    "personeelsbestand zijn gewijzigd. Als je nog gevraagd bent, krijg je een nieuwe link op "
    "je huidige adres.",
    "new_activation": "Er is een nieuwere mail gestuurd om je wachtwoord te kiezen: gebruik de "
    "link uit die mail.",
    "disabled": "Je inlog is uitgeschakeld. Vraag P&O als je weer moet kunnen inloggen.",
}


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment_nl(moment.astimezone(ZoneInfo(TIMEZONE)))


def describe_refusal(reason: str, row: ActionLink | None, recorded: str | None = None) -> Refusal:
    """The Dutch page for a refusal; `reason` is one of forged, altered, expired, used,
    revoked, unknown_action, other_person, csrf, origin. `recorded` says, for a used link,
    what it recorded, by whom and when (poflow.web.recorded.used_line)."""
    nothing = "Er is niets gewijzigd."
    if reason == "altered":
        return Refusal(
            reason,
            "Deze link is gewijzigd of onvolledig",
            "De link klopt niet meer: hij is veranderd of niet helemaal overgenomen. "
            "Dat gebeurt soms als een link in een mail over twee regels staat. "
            f"{nothing} Open de link opnieuw vanuit de mail, of kopieer hem volledig.",
            400,
        )
    if reason == "expired":
        return Refusal(
            reason,
            "Deze link is verlopen",
            f"Deze link was geldig tot {_when(row.expires_at if row else None)}. "
            f"{nothing} Vraag P&O om een nieuwe link als de handeling nog nodig is.",
            410,
        )
    if reason == "used":
        return Refusal(
            reason,
            "Deze link is al gebruikt",
            (recorded or f"Deze link is op {_when(row.used_at if row else None)} al gebruikt.")
            + " Een link werkt maar één keer: nu is er niets gewijzigd. Je hoeft niets meer "
            "te doen.",
            410,
        )
    if reason == "revoked" and row is not None and row.revoked_reason in REVOKED_BECAUSE:
        return Refusal(
            reason,
            "Deze link is ingetrokken",
            f"{REVOKED_BECAUSE[row.revoked_reason]} {nothing}",
            410,
        )
    if reason == "revoked":
        return Refusal(
            reason,
            "Deze link is ingetrokken",
            "Deze link is ingetrokken, bijvoorbeeld omdat de indiensttreding niet "
            f"doorgaat of het verzoek is vervallen. {nothing}",
            410,
        )
    if reason == "unknown_action":
        return Refusal(
            reason,
            "Deze link kan niet meer worden gebruikt",
            f"Deze link hoort bij een handeling die poflow niet (meer) kent. {nothing}",
            410,
        )
    if reason == "other_person":
        return Refusal(
            reason,
            "Deze link is voor iemand anders",
            "Je bent ingelogd als iemand anders dan de persoon aan wie deze link is gemaild. "
            f"Alleen die persoon kan deze handeling doen. {nothing} Is de link wel voor jou? "
            "Log dan uit en log in met je eigen personeelsnummer.",
            403,
        )
    if reason == "csrf":
        return Refusal(
            reason,
            "Je bevestiging kon niet worden gecontroleerd",
            "Voor je veiligheid voeren we een handeling alleen uit vanaf de "
            f"bevestigingspagina zelf. {nothing} Open de link opnieuw vanuit de mail "
            "en klik dan op de knop.",
            403,
        )
    if reason == "origin":
        return Refusal(
            reason,
            "Dit verzoek kwam niet van poflow",
            "Je bevestiging kwam niet van de pagina van poflow zelf, maar via een andere "
            f"website. Voor je veiligheid voeren we de handeling dan niet uit. {nothing} "
            "Open de link opnieuw vanuit de mail en klik dan op de knop.",
            403,
        )
    return Refusal(
        "forged",
        "Deze link is niet geldig",
        "Deze link is niet door poflow gemaakt, of hoort niet bij een verzoek dat "
        f"wij kennen. {nothing}",
        400,
    )
