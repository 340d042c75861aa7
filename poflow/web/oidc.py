"""The OpenID Connect login pages: /inloggen/oidc sends the browser to the provider, and
/inloggen/oidc/terug takes it back, verifies who logged in (poflow.auth.oidc) and hands the
person id to the app's `on_identity`. A refused login gets a Dutch page and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from poflow._exceptions import OidcRefused
from poflow.auth.oidc import CALLBACK_PATH, FLOW_COOKIE, FLOW_PATH, OidcClient
from poflow.settings import Settings

__all__ = ["OnIdentity", "OnRefused", "PlainPage", "oidc_router"]

log = logging.getLogger("poflow.web.oidc")

OnIdentity = Callable[[Request, str, str | None], Response]  # request, person id, next path
OnRefused = Callable[[Request, OidcRefused], None]  # count and audit a refused login
PlainPage = Callable[[int, str, str], Response]  # status, Dutch title, Dutch message

AGAIN = "Begin opnieuw met inloggen."
REFUSALS: dict[str, tuple[int, str]] = {
    "flow": (400, f"Je inlogpoging is verlopen of niet meer geldig. {AGAIN}"),
    "state": (400, f"Dit antwoord van de inlogdienst hoort niet bij jouw inlogpoging. {AGAIN}"),
    "provider": (400, f"De inlogdienst heeft het inloggen afgebroken. {AGAIN}"),
    "token": (
        403,
        "De inlogdienst gaf geen geldig bewijs van wie je bent. "
        f"{AGAIN} Lukt het weer niet, neem dan contact op met de afdeling P&O.",
    ),
    "claim": (
        403,
        "De inlogdienst gaf je personeelsnummer niet door, dus poflow weet niet wie je bent. "
        "Neem contact op met de afdeling P&O.",
    ),
    "unavailable": (503, "De inlogdienst is nu niet bereikbaar. Probeer het later opnieuw."),
}
REFUSALS["id_token"] = REFUSALS["token"]


def oidc_router(
    settings: Settings,
    on_identity: OnIdentity,
    *,
    page: PlainPage,
    on_refused: OnRefused | None = None,
    client: OidcClient | None = None,
) -> APIRouter:
    """The two login routes for the provider of `settings` (`client` when given, for tests)."""
    oidc = client or OidcClient.from_settings(settings)
    secure = settings.resolved_base_url().startswith("https://")
    router = APIRouter(include_in_schema=False)

    def refused(request: Request, exc: OidcRefused) -> Response:
        log.warning("%s: %s", type(exc).__name__, exc)  # the message never quotes a token
        if on_refused is not None:
            on_refused(request, exc)
        status, message = REFUSALS.get(exc.reason, REFUSALS["token"])
        return page(status, "Inloggen niet gelukt", message)

    @router.get(FLOW_PATH)
    def start(request: Request) -> Response:
        try:
            url, cookie = oidc.start(request.query_params.get("next"))
        except OidcRefused as exc:
            return refused(request, exc)
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(
            FLOW_COOKIE,
            cookie,
            max_age=oidc.flow_max_age_s,
            path=FLOW_PATH,
            httponly=True,
            samesite="lax",  # the provider's redirect back is a top-level GET from its site
            secure=secure,
        )
        return response

    @router.get(CALLBACK_PATH)
    def callback(request: Request) -> Response:
        try:
            who = oidc.finish(request.cookies.get(FLOW_COOKIE), dict(request.query_params))
        except OidcRefused as exc:
            response = refused(request, exc)
        else:
            response = on_identity(request, who.person_id, who.next_path)
        # One attempt, one callback: the flow cookie is spent whatever the outcome.
        response.delete_cookie(
            FLOW_COOKIE, path=FLOW_PATH, httponly=True, samesite="lax", secure=secure
        )
        return response

    return router
