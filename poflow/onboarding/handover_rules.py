"""Pure rules for P&O's changes to a running onboarding: an item marked done on someone's
behalf (with a reason, X-4) and a new buddy or leidinggevende (BUD-1, ONB-3). Dutch messages:
they are shown to the P&O adviser as they are."""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_REASON_LENGTH", "ROLES", "handover_problem", "reason_problem"]

MAX_REASON_LENGTH: Final = 1000
ROLES: Final = ("buddy", "leidinggevende")  # who can be handed over


def reason_problem(reason: str) -> str | None:
    """Why `reason` cannot explain an action on someone's behalf, or None."""
    if not reason.strip():
        return "Vul de reden in."
    if len(reason) > MAX_REASON_LENGTH:
        return (
            f"De reden is langer dan {MAX_REASON_LENGTH} tekens ({len(reason)}). Maak hem korter."
        )
    return None


def handover_problem(
    role: str,
    *,
    found: bool,
    current: bool,
    is_hire: bool,
    other_role: bool,
    same_team: bool,
    is_leidinggevende: bool,
) -> str | None:
    """Why a colleague cannot become the hire's `role` ("buddy" or "leidinggevende"), or None.

    The colleague is of the staff register of the hire's municipality (`found`), not already
    it (`current`), not the hire, and not the other of the two (`other_role`: a buddy is not
    the hire's leidinggevende, BUD-1). A buddy comes from the hire's team (BUD-1); a
    leidinggevende holds that role."""
    if role not in ROLES:
        return f"Onbekende rol {role!r}."
    if not found or is_hire:
        return "Kies een collega uit het personeelsbestand van de gemeente."
    if current:
        return f"Deze collega is al de {role}."
    if other_role:
        other = "leidinggevende" if role == "buddy" else "buddy"
        return f"Deze collega is de {other}; de buddy en de leidinggevende zijn twee mensen."
    if role == "buddy" and not same_team:
        return "Een buddy komt uit het team van de nieuwe medewerker."
    if role == "leidinggevende" and not is_leidinggevende:
        return "Deze collega heeft geen rol als leidinggevende."
    return None
