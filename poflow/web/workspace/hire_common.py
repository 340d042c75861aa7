"""What the pages of a hire's actions share (issue 21, WS-ACTIONS): the hire of the viewer's
own municipality (another municipality's is unknown: 404), and after a change the same day's
dispatcher pass for the municipality, as `poflow hire move|cancel` runs it. The day is poflow's
one today (`poflow.kernel.calendar.today`), as for the CLI and the other pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from poflow.auth.viewer import Viewer
from poflow.db.models import Hire
from poflow.engine import TZ
from poflow.hires.preview import Preview
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl
from poflow.runtime import run_day
from poflow.states import HireState
from poflow.web.workspace.frame import frame, message, require, runtime
from poflow.web.workspace.overview_model import owner_label

__all__ = ["done", "done_text", "hire_context", "load", "preview_rows", "tell_today"]


def load(request: Request, hire_id: str) -> tuple[Viewer, Hire] | Response:
    """The logged-in P&O adviser and the hire of their municipality, or the response to give
    (login, 403, or 404 for an unknown hire or another municipality's)."""
    viewer = require(request, Role.PO_ADVISEUR)
    if not isinstance(viewer, Viewer):
        return viewer
    with runtime(request).factory() as db:
        hire = db.get(Hire, hire_id)
        if hire is not None:
            db.expunge(hire)
    if hire is None or hire.municipality != viewer.municipality:
        return message(
            request, viewer, "Medewerker niet gevonden", "Deze medewerker is niet bekend.", 404
        )
    return viewer, hire


def hire_context(request: Request, viewer: Viewer, hire: Hire) -> dict[str, Any]:
    """The frame and the hire as every action page shows it."""
    return {
        **frame(request, viewer, "/overzicht"),
        "hire": hire,
        "lopend": hire.state == HireState.PLANNED,
        "terug": f"/medewerkers/{hire.id}",
        "startdatum": date_nl(hire.start_date),
        "eerste_werkdag": date_nl(hire.first_working_day),
    }


def tell_today(request: Request, municipality: str) -> None:
    """Today's dispatcher pass for the municipality (plan, perform, send), as the CLI runs it
    after a move or cancellation: the changes go out the same day (ONB-5)."""
    run_day(runtime(request), today(), municipality=municipality)


def done(hire_id: str, what: str) -> RedirectResponse:
    """To the hire's page, saying what was done (post/redirect/get)."""
    return RedirectResponse(f"/medewerkers/{hire_id}?gedaan={what}", status_code=303)


def done_text(what: str | None, hire: Hire, manager: str, buddy: str | None) -> str | None:
    """What the hire's page says after an action redirected to it (`?gedaan=`), or None."""
    if what == "verplaatst":
        return (
            "De startdatum is verplaatst: de eerste werkdag is nu "
            f"{date_nl(hire.first_working_day)}. Wie het moet weten, krijgt bericht en de "
            "afspraken in de agenda's zijn bijgewerkt."
        )
    texts = {
        "geannuleerd": "De indiensttreding is geannuleerd. Wat nog gepland stond vervalt en "
        "wie het moet weten, krijgt bericht.",
        "afgevinkt": "Het punt is namens de eigenaar afgevinkt; jij en de reden staan in de "
        "tijdlijn.",
        "buddy": f"{buddy} is nu de buddy. De vorige buddy krijgt bericht, de nieuwe hoort "
        "wat er van een buddy verwacht wordt.",
        "leidinggevende": f"{manager} is nu de leidinggevende. De vorige en de nieuwe "
        "leidinggevende krijgen bericht; open punten en afspraken zijn overgedragen.",
        "gegevens": "De gegevens zijn gewijzigd. Mails die poflow vanaf nu maakt, gaan naar "
        "de nieuwe adressen.",
        "ongewijzigd": "Er is niets gewijzigd: de gegevens waren al zo.",
    }
    return texts.get(what or "")


_KINDS = {
    "onb.welcome": "Welkomstmail aan het privéadres",
    "onb.welcome_work": "Welkomstmail op het werkadres",
}


def _when(day: date | None, start: datetime | None) -> str:
    if day is None:
        return "vervalt"
    return date_nl(day) + (f", {start.astimezone(TZ):%H:%M} uur" if start is not None else "")


def preview_rows(preview: Preview) -> dict[str, Any]:
    """A preview as the page shows it: Dutch dates, a label per planned mail, who hears it."""
    return {
        "stappen": [
            {
                "titel": s.title,
                "eigenaar": owner_label(None, s.owner, {}),  # a name, or a role in Dutch
                "oud": _when(s.old, s.old_start) if s.old else "nieuw",
                "nieuw": _when(s.new, s.new_start),
                "afspraak": s.invitation,
            }
            for s in preview.steps
        ],
        "gepland": [
            {
                "wat": _KINDS.get(p.kind, p.kind),
                "oud": date_nl(p.old) if p.old else "nieuw",
                "nieuw": date_nl(p.new) if p.new else "vervalt",
            }
            for p in preview.planned
        ],
        "mails": [
            {
                "naam": m.name,
                "adres": m.email,
                "onderwerp": m.subject,
                "agenda": {"REQUEST": "bijgewerkte uitnodiging", "CANCEL": "annulering"}.get(
                    m.calendar or "", ""
                ),
            }
            for m in preview.mails
        ],
        "wie": [{"naam": n, "adres": a} for n, a in preview.told],
    }
