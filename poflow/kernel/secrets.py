"""Whether poflow's secrets may be used where it runs: a loopback deployment may use the
development key; anything reachable from elsewhere needs real secrets.

Pure code, no I/O. A deployment is loopback when the web app listens on a loopback address
(127.0.0.0/8, ::1 or localhost) AND the links in its mails point at one over plain http; a
production app behind a reverse proxy listens on loopback but links to a public name, so the
base URL counts as much as the listening address. An https base URL counts as public.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "DEVELOPMENT_KEY",
    "MIN_KEY_LENGTH",
    "SecretProblem",
    "exposure",
    "is_loopback_host",
    "key_problem",
    "secret_problems",
]

DEVELOPMENT_KEY = "change-me-poflow-development-key"
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class SecretProblem:
    """One secret setting that cannot be used off loopback: its name and why, in both languages."""

    setting: str
    english: str
    dutch: str


def is_loopback_host(host: str | None) -> bool:
    """True for localhost, an address in 127.0.0.0/8 or ::1 (brackets allowed); False for
    anything else, the wildcard addresses 0.0.0.0 and :: and every other name included."""
    name = (host or "").strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a name other than localhost: it may resolve to anything
        return False


def _base_url_is_loopback(base_url: str) -> bool:
    try:
        parts = urlsplit(base_url.strip())
        hostname = parts.hostname
    except ValueError:  # an unbalanced [ in the host
        return False
    return parts.scheme == "http" and is_loopback_host(hostname)


def exposure(*, web_host: str, base_url: str | None) -> str | None:
    """Why this deployment is not loopback-only (English, naming the setting), or None when
    the web app listens on loopback and the links point at loopback."""
    if not is_loopback_host(web_host):
        return f"the web app listens on {web_host or '(all addresses)'} (POFLOW_WEB_HOST)"
    if base_url is not None and not _base_url_is_loopback(base_url):
        return f"the links in mails point at {base_url} (POFLOW_BASE_URL)"
    return None


def key_problem(key: str) -> str | None:
    """Why a signing key is not fit for a deployment reachable from elsewhere, or None."""
    if key == DEVELOPMENT_KEY:
        return "is the development key"
    if len(key.strip()) < MIN_KEY_LENGTH:
        return f"is shorter than {MIN_KEY_LENGTH} characters"
    return None


_DUTCH = {
    "is the development key": "is de ontwikkelsleutel",
    f"is shorter than {MIN_KEY_LENGTH} characters": f"is korter dan {MIN_KEY_LENGTH} tekens",
    "is empty": "is leeg",
}


def secret_problems(
    *,
    current_key: str,
    previous_keys: Sequence[str],
    oidc_issuer: str | None,
    oidc_client_secret: str | None,
) -> list[SecretProblem]:
    """Every secret that must not be used off loopback: the current signing key, a previous
    one (it still verifies links, so a known one forges them), and an empty OIDC client secret
    while an OIDC issuer is set."""
    found: list[tuple[str, str]] = []
    if (why := key_problem(current_key)) is not None:
        found.append(("POFLOW_SECRET_KEY", why))
    for number, key in enumerate(previous_keys, start=1):
        if (why := key_problem(key)) is not None:
            found.append((f"POFLOW_PREVIOUS_SECRET_KEYS (key {number})", why))
    if oidc_issuer and not (oidc_client_secret or "").strip():
        found.append(("POFLOW_OIDC_CLIENT_SECRET", "is empty"))
    return [SecretProblem(setting, why, _DUTCH[why]) for setting, why in found]
