"""Pure rules of the conversation cycle (GES): talk dates, scores, the raise, legal decisions.

No I/O: dates come in, dates and decisions go out. The seed's wording (seed 001, "HR gesprekscyclus"
and Tabel 1) is quoted where a rule follows it.

How the seed is read where it leaves room:
- Probation: the seed gives no length; its example (1 March -> richtgesprek in April, "na de
  proeftijd") needs one month, so one month per contract type is the configured default (BW 7:652
  allows up to two for a permanent contract; a municipality may configure that). Contracts of
  at most six months have no probation and, their appraisal falling after their end, no cycle.
- "In april": the richtgesprek is a configurable number of working days (default ten) after the
  last day of probation; for the example that is 16 April 2020.
- The cycle is yearly ("gekoppeld aan de periodieke verhoging"): round n+1's richtgesprek comes
  twelve months after round n's, its beoordelingsgesprek ten months after that.
- The regular appraisal decides the raise due on the next anniversary of joining (or of the last
  raise, for existing staff) on or after the talk; CAO condition 3 is checked on that day, so a
  promotion within the twelve months before it means no raise in that round.
- After the introduction programme (seed 000) the startontwikkelgesprek, where "ontwikkel- en
  resultaatafspraken" are made, counts as the first richtgesprek (configurable).
- An extra appraisal (GES-5) unblocks its legal-status decision; it decides no periodic raise.
- "Uiterlijk twee dagen van te voren" (GES-2) reads as calendar days by default; a municipality
  may count working days instead (`pop_deadline_counted_in`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from poflow.kernel.calendar import WorkCalendar, add_months
from poflow.kernel.vocabulary import Role

__all__ = [
    "COMPONENTS",
    "Component",
    "CycleDates",
    "DayCount",
    "LegalKind",
    "RaiseDecision",
    "RaiseReason",
    "Score",
    "Scores",
    "cycle_dates",
    "decide_raise",
    "goes_to_gemeentesecretaris",
    "holds_talks",
    "introduction_end",
    "next_introduction_check",
    "periodiek_date",
    "pop_deadline",
    "probation_months_for",
    "richtgesprek_after_introduction",
    "richtgesprek_after_probation",
]


class Score(StrEnum):
    """The four scores of Tabel 1, lowest first."""

    ONVOLDOENDE = "onvoldoende"
    VOLDOENDE = "voldoende"
    GOED = "goed"
    ZEER_GOED = "zeer_goed"

    @property
    def label(self) -> str:
        """The Dutch label as the seed writes it."""
        return {"zeer_goed": "Zeer goed"}.get(self.value, self.value.capitalize())


class Component(StrEnum):
    """The three scored parts of the beoordelingsgesprek (GES-3)."""

    PRESTATIE = "prestatie"
    POTENTIEEL = "potentieel"
    KERNWAARDEN = "kernwaarden"

    @property
    def label(self) -> str:
        """The Dutch label shown on the form and in mails."""
        return {
            "prestatie": "Prestatie",
            "potentieel": "Potentieel",
            "kernwaarden": "Ontwikkelpunten kernwaarden",
        }[self.value]


COMPONENTS: tuple[Component, ...] = tuple(Component)


@dataclass(frozen=True, slots=True)
class Scores:
    """One appraisal's three scores."""

    prestatie: Score
    potentieel: Score
    kernwaarden: Score

    def items(self) -> tuple[tuple[Component, Score], ...]:
        """(component, score) in the seed's order."""
        return tuple((c, getattr(self, c.value)) for c in COMPONENTS)

    def onvoldoende(self) -> tuple[Component, ...]:
        """The components scored onvoldoende."""
        return tuple(c for c, s in self.items() if s is Score.ONVOLDOENDE)


class RaiseReason(StrEnum):
    """Why the standard periodic raise is not granted (CAO Gemeenten art. 3.4, three conditions)."""

    ONVOLDOENDE = "onvoldoende"  # 1. does not function at least voldoende on every component
    SCHAALMAXIMUM = "schaalmaximum"  # 2. the maximum of the scale is reached
    TE_KORT = "te_kort"  # 3. less than 12 months since joining, the last raise or promotion


@dataclass(frozen=True, slots=True)
class RaiseDecision:
    """The outcome of the raise rule for one appraisal, on the day the raise would take effect."""

    granted: bool
    reasons: tuple[RaiseReason, ...]
    onvoldoende: tuple[Component, ...]
    to_gemeentesecretaris: bool
    eligible_from: date
    on: date


def goes_to_gemeentesecretaris(scores: Scores) -> bool:
    """An onvoldoende on any component is always discussed with the gemeentesecretaris, after a
    regular or an extra appraisal (GES-4, Tabel 1)."""
    return bool(scores.onvoldoende())


def decide_raise(
    scores: Scores,
    *,
    at_scale_max: bool,
    joined_on: date,
    last_raise_on: date | None,
    last_promotion_on: date | None,
    on: date,
    min_months: int = 12,
) -> RaiseDecision:
    """Apply CAO Gemeenten art. 3.4 as seed 001 states it (GES-4).

    Granted only when all three components score at least voldoende, the scale maximum is not
    reached and `on` is at least `min_months` after joining, the last raise and the last
    promotion (the latest of them). An onvoldoende means no standard raise and always goes to
    the gemeentesecretaris (Tabel 1), whatever the other conditions say.
    """
    latest = max(d for d in (joined_on, last_raise_on, last_promotion_on) if d is not None)
    eligible_from = add_months(latest, min_months)
    weak = scores.onvoldoende()
    reasons: list[RaiseReason] = []
    if weak:
        reasons.append(RaiseReason.ONVOLDOENDE)
    if at_scale_max:
        reasons.append(RaiseReason.SCHAALMAXIMUM)
    if on < eligible_from:
        reasons.append(RaiseReason.TE_KORT)
    return RaiseDecision(
        granted=not reasons,
        reasons=tuple(reasons),
        onvoldoende=weak,
        to_gemeentesecretaris=goes_to_gemeentesecretaris(scores),
        eligible_from=eligible_from,
        on=on,
    )


def periodiek_date(anchor: date, appraisal_on: date, *, months: int = 12) -> date:
    """The planned raise date a regular appraisal decides on: the first anniversary of `anchor`
    (every `months` months, at least once) on or after the appraisal.

    The seed links the cycle to "de eventueel geplande periodieke verhoging": the appraisal in
    February decides the raise of the joining date's anniversary in March.
    """
    k = 1
    while (candidate := add_months(anchor, months * k)) < appraisal_on:
        k += 1
    return candidate


def probation_months_for(
    contract_type: str, contract_months: int | None, table: dict[str, int], min_contract_months: int
) -> int | None:
    """Probation months for a contract, or None when the contract gets no automatic cycle (GES-1).

    Only contract types in the municipality's table get one; a temporary contract of at most
    `min_contract_months` has none (its appraisal would fall after it ends).
    """
    if contract_type not in table:
        return None
    if contract_months is not None and contract_months <= min_contract_months:
        return None
    return table[contract_type]


def holds_talks(roles: Iterable[str], person_municipality: str, municipality: str) -> bool:
    """Whether a person may hold the cycle's talks of a case in `municipality`: a leidinggevende
    of that municipality (GES-1, and the extra appraisal of GES-5)."""
    return Role.LEIDINGGEVENDE in set(roles) and person_municipality == municipality


def richtgesprek_after_probation(
    calendar: WorkCalendar, first_working_day: date, probation_months: int, working_days_after: int
) -> date:
    """The richtgesprek: `working_days_after` working days after the last day of probation (GES-1).

    Seed 001: "ben jij op 1 maart 2020 in dienst gekomen? Dan zal het richtgesprek na de
    proeftijd plaatsvinden in april 2020" - with one month's probation and ten working days
    that is 16 April 2020.
    """
    last_probation_day = add_months(first_working_day, probation_months) - timedelta(days=1)
    return calendar.add_working_days(last_probation_day, working_days_after)


def introduction_end(calendar: WorkCalendar, first_working_day: date, months: int) -> date:
    """The end of the introduction programme, when a new hire's cycle first looks for the held
    startontwikkelgesprek (GES-1): the working day `months` months after the first working day."""
    return calendar.months_after(first_working_day, months)


def next_introduction_check(
    calendar: WorkCalendar,
    day: date,
    programme_end: date,
    talk_due: date | None,
    *,
    every_working_days: int,
    wait_max_months: int,
) -> date | None:
    """When to look again for the held startontwikkelgesprek, or None: the wait is over and P&O
    hears the cycle could not start (GES-1).

    Every `every_working_days` working days, not before the talk's own date, and never later
    than `wait_max_months` after the end of the programme.
    """
    give_up = calendar.months_after(programme_end, wait_max_months)
    if day >= give_up:
        return None
    later = max(calendar.add_working_days(day, every_working_days), talk_due or day)
    return min(later, give_up)


def richtgesprek_after_introduction(
    calendar: WorkCalendar, held_on: date, *, counts_as_richtgesprek: bool, working_days_after: int
) -> date:
    """The first richtgesprek of a cycle the introduction programme starts (GES-1): the held
    startontwikkelgesprek itself where it counts as one, else `working_days_after` working days
    after it."""
    if counts_as_richtgesprek:
        return held_on
    return calendar.add_working_days(held_on, working_days_after)


@dataclass(frozen=True, slots=True)
class CycleDates:
    """The two talks of one round of the cycle."""

    round: int
    richtgesprek: date
    beoordelingsgesprek: date


def cycle_dates(
    calendar: WorkCalendar,
    first_richtgesprek: date,
    round_: int,
    *,
    months_to_beoordeling: int = 10,
    months_between: int = 12,
) -> CycleDates:
    """Round `round_` (1-based): richtgesprek yearly from the first, beoordelingsgesprek ten
    months after it (GES-1); each on the next working day when it falls on a day off."""
    if round_ < 1:
        raise ValueError(f"round must be 1 or more, got {round_}")
    offset = months_between * (round_ - 1)
    richt = calendar.next_working_day(add_months(first_richtgesprek, offset))
    beoordeling = calendar.next_working_day(
        add_months(first_richtgesprek, offset + months_to_beoordeling)
    )
    return CycleDates(round_, richt, beoordeling)


class DayCount(StrEnum):
    """How "uiterlijk twee dagen van te voren" is counted (GES-2): a municipality's reading."""

    KALENDERDAGEN = "kalenderdagen"  # the seed's words: two days before, whatever day they are
    WERKDAGEN = "werkdagen"  # two working days before


def pop_deadline(
    calendar: WorkCalendar,
    richtgesprek: date,
    days_before: int = 2,
    counted_in: DayCount = DayCount.KALENDERDAGEN,
) -> date:
    """The POP form (pages 1-5) is due `days_before` days before the richtgesprek (GES-2).

    In calendar days (the seed's reading) a deadline on a day not worked moves back to the last
    working day before it, so the form is still "at least two days" early; in working days it
    counts working days only."""
    if counted_in == DayCount.WERKDAGEN:
        return calendar.add_working_days(richtgesprek, -days_before)
    return calendar.previous_working_day(richtgesprek - timedelta(days=days_before))


class LegalKind(StrEnum):
    """Decisions with legal-status consequences that require an appraisal (GES-5)."""

    VAST = "vast"  # temporary -> permanent contract
    PROMOTIE = "promotie"  # promotion to a higher scale or function
    PERIODIEK_ONTHOUDEN = "geen_periodiek"  # withholding a periodic raise
    DEMOTIE = "demotie"

    @property
    def label(self) -> str:
        """The Dutch description used in mails and on the command line."""
        return {
            "vast": "omzetting naar een vast dienstverband",
            "promotie": "bevordering (promotie)",
            "geen_periodiek": "niet toekennen van een periodiek",
            "demotie": "demotie",
        }[self.value]
