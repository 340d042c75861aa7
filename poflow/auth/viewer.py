"""Who is looking at a page: the logged-in person, as the web app and the link pages see them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Viewer"]


@dataclass(frozen=True)
class Viewer:
    """The person of a live login session: id, municipality, name, roles and how they logged in."""

    person_id: str
    municipality: str
    name: str
    roles: frozenset[str]
    method: str  # "local" or "oidc" (the web), "cli" (poflow login)
