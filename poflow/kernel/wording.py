"""Dutch words for numbers and spans of time, as a mail reads them on the day it is read:
"een maand", "drie maanden", "over vier weken", "morgen". Pure: no I/O."""

from __future__ import annotations

from datetime import date, datetime

__all__ = [
    "MONTHS",
    "count_word",
    "date_nl",
    "moment_nl",
    "months_phrase",
    "salutation",
    "until_phrase",
]

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")

_WORDS = (
    "nul",
    "een",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
)
_WEEK = 7
_MONTH_DAYS = 30.44  # the mean calendar month


def count_word(n: int) -> str:
    """A count as Dutch writes it in running text: words up to twelve, digits above."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def months_phrase(n: int) -> str:
    """'een maand', 'drie maanden', '18 maanden': singular and plural right."""
    return "een maand" if n == 1 else f"{count_word(n)} maanden"


def until_phrase(today: date, day: date) -> str:
    """How far `day` is from `today`, read on `today`: 'vandaag', 'morgen', 'over drie dagen',
    'over een week', 'over vier weken', 'over twee maanden'; for a past day 'sinds ...' is the
    caller's (this gives 'vandaag' for any day not after `today`)."""
    days = (day - today).days
    if days <= 0:
        return "vandaag"
    if days == 1:
        return "morgen"
    if days < _WEEK:
        return f"over {count_word(days)} dagen"
    if days < 8 * _WEEK:
        weeks = round(days / _WEEK)
        return "over een week" if weeks == 1 else f"over {count_word(weeks)} weken"
    months = round(days / _MONTH_DAYS)
    return f"over {months_phrase(months)}"


def date_nl(day: date) -> str:
    """A day as every mail and page writes it: 'maandag 1 maart 2027' (never '01-03-2027')."""
    return f"{_DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def moment_nl(moment: datetime) -> str:
    """A moment, already in local time, as pages write it: 'maandag 1 maart 2027 om 10:15 uur'."""
    return f"{date_nl(moment.date())} om {moment:%H:%M} uur"


def salutation(*, given_name: str | None, name: str, team: str | None = None) -> str:
    """The one salutation of every mail: 'Beste Lotte,' to a person (the given name; without
    one, the name's first word) and 'Beste collega's van P&O,' to a team mailbox (`team`)."""
    if team is not None:
        return f"Beste collega's van {team},"
    given = (given_name or "").strip() or (name.split() or ["collega"])[0]
    return f"Beste {given},"
