"""The workspace: the pages where P&O, managers, buddies, the gemeentesecretaris and new
colleagues do their part after logging in (issue 21). Each page module has its own router;
`workspace_router` includes them all, and create_app includes it. Shared pieces (who is
looking, the frame and menu, form protection) are in poflow/web/workspace/frame.py."""

from __future__ import annotations

from fastapi import APIRouter

from poflow.web.workspace import (
    audit,
    audit_check,
    coaching,
    gallery,
    gebruikers,
    gesprekken,
    gesprekken_cycle,
    hire_dates,
    hire_details,
    hire_people,
    introductie,
    introductie_hire,
    my_work,
    new_hire,
    outgoing,
    overview,
    upload,
    werving,
    werving_aanbod,
    werving_acties,
    werving_kandidaten,
    werving_koffie,
    werving_nieuw,
    werving_verloop,
)

__all__ = ["workspace_router"]

workspace_router = APIRouter()
# Each page module's router, one line each:
workspace_router.include_router(my_work.router)  # /werk: my work, and / leads there
workspace_router.include_router(new_hire.router)  # /medewerkers/nieuw
workspace_router.include_router(upload.router)  # /medewerkers/importeren
workspace_router.include_router(werving_nieuw.router)  # /werving/nieuw before /werving/{id}
workspace_router.include_router(werving_kandidaten.router)  # a round's candidates, standing
workspace_router.include_router(werving_koffie.router)  # a koffiemoment before applying
workspace_router.include_router(werving_acties.router)  # vacancy text, selection, interviews
workspace_router.include_router(werving_aanbod.router)  # offer, terms, contract, cancel
workspace_router.include_router(werving_verloop.router)  # the flow run, or decisions by hand
workspace_router.include_router(werving.router)  # /werving: the recruitment board
workspace_router.include_router(introductie_hire.router)  # before /introductie/{session_id}
workspace_router.include_router(introductie.router)  # /introductie: sessions and attendance
workspace_router.include_router(gesprekken.router)  # /gesprekken: the conversation cycle
workspace_router.include_router(gesprekken_cycle.router)  # /gesprekken/{id}: one cycle, its forms
workspace_router.include_router(coaching.router)  # /coaching: the coach report, counts only
workspace_router.include_router(audit.router)  # /audit, /audit.csv
workspace_router.include_router(audit_check.router)  # /audit/controle: the hash chain check
workspace_router.include_router(gebruikers.router)  # /gebruikers: logins of the staff
workspace_router.include_router(gallery.router)  # /mails: the mail gallery
workspace_router.include_router(outgoing.router)  # /mails/uitgaand; /mail/geparkeerd redirects
workspace_router.include_router(hire_dates.router)  # a hire's move and cancellation
workspace_router.include_router(hire_people.router)  # item on behalf, new buddy or manager
workspace_router.include_router(hire_details.router)  # names and addresses corrected
# Last: its /medewerkers/{hire_id} would otherwise catch /medewerkers/nieuw and the like.
workspace_router.include_router(overview.router)
