"""The recruitment services' refusals in Dutch (pure), for the round's action pages. The
services stay the one judge of a step (poflow/recruitment/); this only says in Dutch what they
refused: by exception class, and for RecruitmentRefused by its message. A refusal without a
Dutch form here gets the step's general sentence, never the English text."""

from __future__ import annotations

import re

from poflow._exceptions import IllegalTransition, InputRefused, PreferenceRefused
from poflow.web.workspace.import_wording import dutch_reason

__all__ = ["CANNOT", "refusal_nl", "row_problem_nl", "said_nl"]

CANNOT = "Deze stap kan nu niet in deze ronde. Er is niets gewijzigd."
_STANDING_NL = {
    "in_dienst": "in dienst",
    "bovenformatief": "bovenformatief",
    "uwo": "oud-medewerker met een UWO-uitkering",
    "detachering": "gedetacheerd",
    "inleen": "ingeleend",
}

# (the service's wording, the Dutch) in order; the first that matches is used.
_REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), dutch)
    for pattern, dutch in (
        (
            r"Cannot register an internal candidate .*",
            "Interne kandidaten kunnen pas solliciteren als de vacature gepubliceerd is.",
        ),
        (
            r"Cannot register an external \(tier 4\) candidate .*",
            "Externe kandidaten (categorie 4) kunnen pas solliciteren als de vacature extern "
            "gepubliceerd is.",
        ),
        (
            r".*tier (\d) is internal: give the employee_id.*",
            r"Categorie \1 is intern: vul het personeelsnummer in.",
        ),
        (
            r".*tier \d: (\S+) is not on the staff register.*",
            r"\1 staat niet in het personeelsbestand van deze gemeente.",
        ),
        (
            r".*tier (\d) is not what the staff register says: (\S+) is (\S+) \(tier (\d)\).*",
            r"Volgens het personeelsbestand is \2 \3 (categorie \4), niet categorie \1.",
        ),
        (
            r"Cannot register a referral by (\S+) .*",
            r"\1 is geen medewerker van deze gemeente; vul bij 'aangedragen door' een "
            r"personeelsnummer in.",
        ),
        (r".*the host is the recruiter or a colleague.*", "Kies als gastheer een collega."),
        (
            r".*is not registered as po_adviseur.*",
            "Wie meedenkt bij de selectie moet P&O-adviseur zijn in deze gemeente.",
        ),
        (
            r".*consultation with someone else from P&O.*",
            "Het MT-lid selecteert samen met iemand anders van P&O.",
        ),
        (r"Cannot select .*choose from.*", "Kies minstens één kandidaat uit de lijst."),
        (
            r".*only a candidate of the second interview round can get an offer.*",
            "Alleen een kandidaat uit de tweede gespreksronde kan een aanbod krijgen.",
        ),
        (
            r".*needs a direct colleague, and the round has none.*",
            "Voor het besluit is een collega in de commissie nodig; deze ronde heeft er geen.",
        ),
        (
            r".*the work email is the mailbox of (\S+), who decides.*",
            r"Dit is de mailbox van \1, die over deze aanstelling beslist; de nieuwe collega "
            r"krijgt een eigen adres.",
        ),
        (
            r".*they were already decided on.*",
            "Over de voorwaarden is al beslist; ze kunnen niet meer worden gewijzigd.",
        ),
        (
            r"Cannot record terms .*'vast' contract has no months.*",
            "Een vast contract heeft geen duur; elk ander contract heeft een duur in maanden.",
        ),
        (
            r".*shorter than (\d+) characters.*",
            r"De vacaturetekst is te kort: ten minste \1 tekens.",
        ),
        (
            r".*there is no contract task.*",
            "Er is nog geen taak om de arbeidsovereenkomst op te stellen: die komt als de "
            "voorwaarden zijn afgesproken.",
        ),
    )
)


def refusal_nl(exc: Exception, general: str = CANNOT) -> str:
    """What a recruitment service refused, in Dutch; `general` when there is no Dutch form."""
    if isinstance(exc, PreferenceRefused):
        return (
            "Een kandidaat van een hogere categorie wordt overgeslagen zonder reden "
            "(voorkeursbeleid). Vul per kandidaat de reden in."
        )
    if isinstance(exc, IllegalTransition):
        return "Deze stap past niet bij de fase waarin de ronde nu staat. Er is niets gewijzigd."
    if isinstance(exc, InputRefused):
        return dutch_reason(exc.why)
    return said_nl(str(exc), general)


def said_nl(said: str, general: str = CANNOT) -> str:
    """A RecruitmentRefused message in Dutch; `general` when there is no Dutch form for it."""
    for pattern, dutch in _REFUSALS:
        if pattern.fullmatch(said):
            found = pattern.sub(dutch, said)
            for english, dutch_standing in _STANDING_NL.items():
                found = found.replace(f" {english} (", f" {dutch_standing} (")
            return found
    return general


_ROW = re.compile(r"row (\d+)(?:, column '([^']+)')?: (.*)", re.DOTALL)


def row_problem_nl(problem: str, labels: dict[str, str]) -> str:
    """One problem of a candidates file ("row N, column 'c': why" or "row N: refusal") in Dutch."""
    found = _ROW.fullmatch(problem)
    if found is None:
        return dutch_reason(problem)
    row, column, why = found.groups()
    if column:
        return f"Rij {row}, kolom {labels.get(column, column)}: {dutch_reason(why)}"
    return f"Rij {row}: {said_nl(why, 'deze kandidaat kan niet worden toegevoegd.')}"
