"""The Dutch words of the import pages (pure): each import column's label, and the importer's
problems said in Dutch. The importer (poflow/importer.py, poflow/staff/importer.py) stays the
one judge of a row; this only translates what it found. A problem without a Dutch form here is
shown as the importer wrote it."""

from __future__ import annotations

import re

__all__ = ["COLUMN_LABELS", "ROLE_LABELS", "column_label", "dutch_reason"]

COLUMN_LABELS = {
    "hire_id": "Nummer van de nieuwe medewerker",
    "employee_id": "Personeelsnummer",
    "given_name": "Voornaam",
    "family_name": "Achternaam",
    "private_email": "Privé-e-mailadres",
    "work_email": "E-mailadres op het werk",
    "email": "E-mailadres",
    "team": "Team",
    "function": "Functie",
    "manager_id": "Leidinggevende",
    "buddy_id": "Buddy",
    "contract_type": "Soort contract",
    "contract_months": "Duur van het contract in maanden",
    "start_date": "Eerste werkdag",
    "municipality": "Gemeente",
    "roles": "Rollen",
}

ROLE_LABELS = {
    "leidinggevende": "leidinggevende",
    "po_adviseur": "P&O-adviseur",
    "mt_lid": "MT-lid",
    "gemeentesecretaris": "gemeentesecretaris",
    "or_lid": "OR-lid",
    "recruiter": "recruiter",
    "medewerker": "medewerker",
    "loopbaancoach": "loopbaancoach",
    "ict": "ICT",
    "facilitair": "facilitair",
}

_DAYS = {"Saturday": "zaterdag", "Sunday": "zondag"}

# (the importer's wording, the Dutch) in order; the first that matches is used.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), dutch)
    for pattern, dutch in (
        (r"^is empty, an id is required$", "is leeg; vul een nummer in."),
        (r"^is empty, a value is required$", "is leeg; dit is verplicht."),
        (r"^is empty, an email address is required$", "is leeg; vul een e-mailadres in."),
        (r"^is empty, at least one role is required$", "is leeg; geef minstens één rol."),
        (r"^is empty; required for contract type '(.+)'$", r"is leeg; verplicht bij contract \1."),
        (r"^must be empty for contract type 'vast'$", "moet leeg zijn bij een vast contract."),
        (r"^(.+) is not a valid id .*$", r"\1 is geen geldig nummer (letters, cijfers, - en _)."),
        (r"^(.+) appears twice \(also row (\d+)\)$", r"\1 staat er twee keer in (ook rij \2)."),
        (
            r"^unknown person (.+): import them in staff first$",
            r"\1 staat niet in het personeelsbestand; importeer die persoon eerst.",
        ),
        (r"^person (\S+) works for '(.+)', not '(.+)'$", r"\1 werkt voor \2, niet voor \3."),
        (
            r"^person (\S+) does not have the role leidinggevende$",
            r"\1 heeft de rol leidinggevende niet.",
        ),
        (r"^the buddy cannot be the manager$", "de buddy kan niet de leidinggevende zijn."),
        (
            r"^is the address of (\S+), not the new colleague's own mailbox$",
            r"is het adres van \1, niet het eigen adres van de nieuwe collega.",
        ),
        (r"^unknown contract type (.+); known: (.+)$", r"\1 is onbekend; kies uit: \2."),
        (r"^unknown role (.+); known: (.+)$", r"rol \1 is onbekend; kies uit: \2."),
        (r"^unknown municipality (.+); known: (.+)$", r"gemeente \1 is onbekend; bekend: \2."),
        (
            r"^(.+) is not a whole number from (\d+) to (\d+)$",
            r"\1 is geen heel getal van \2 tot en met \3.",
        ),
        (r"^(.+) is not a date .*$", r"\1 is geen datum; schrijf bijvoorbeeld 2027-03-01."),
        (
            r"^(\S+) is in the past \(today is (\S+)\).*$",
            r"\1 ligt in het verleden (vandaag is \2).",
        ),
        (r"^(\S+) is not a working day \((.+?)\).*$", r"\1 is geen werkdag (\2)."),
        (
            r"^(.+) is not a valid email address .*$",
            r"\1 is geen geldig e-mailadres.",
        ),
        (
            r"^is (\d+) characters long \(at most (\d+)\)$",
            r"is \1 tekens lang (maximaal \2).",
        ),
        (r"^contains a .*\(U\+(\w+)\)$", r"bevat een teken dat niet mag (U+\1)."),
        (
            r"^hire (\S+) already exists with a different start_date.*$",
            r"\1 bestaat al met een andere eerste werkdag; verplaats die op de pagina van \1.",
        ),
        (
            r"^hire (\S+) already exists with a different municipality$",
            r"\1 bestaat al in een andere gemeente.",
        ),
        (r"^(.+) is already a staff member's id$", r"\1 is al het nummer van een medewerker."),
        (r"^person (\S+) already belongs to '(.+)'$", r"\1 hoort al bij \2."),
    )
)


def column_label(column: str) -> str:
    """The Dutch name of an import column (the column itself when it has none)."""
    return COLUMN_LABELS.get(column, column)


def dutch_reason(why: str) -> str:
    """The importer's problem `why` in Dutch, or as it is when there is no Dutch form for it."""
    for pattern, dutch in _REASONS:
        if pattern.match(why):
            said = pattern.sub(dutch, why)
            for english, day in _DAYS.items():
                said = said.replace(f"({english})", f"({day})")
            return said
    return why
