"""Pure rules of a recruitment round (REC): who decides, voorkeursbeleid, panels, slots, terms,
the referral bonus and retention.

No I/O: everything here is tested in milliseconds and used by the round's services, handlers
and flow. The round's and candidates' states and their moves are in `states`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from poflow._exceptions import RecruitmentRefused
from poflow.kernel.calendar import TIMEZONE, WorkCalendar, add_months
from poflow.kernel.vocabulary import ContractType, Role

__all__ = [
    "DECISION_ROLES",
    "FORMATION_ROLES",
    "KOFFIEMOMENT_HOSTS",
    "TERMS_ROLES",
    "VACANCY_ROLES",
    "Panel",
    "Standing",
    "Tier",
    "check_contract_terms",
    "check_different_people",
    "check_fte",
    "check_vacancy_text",
    "external_publication_day",
    "gate_outcome",
    "interview_order",
    "interview_slots",
    "not_selected_reason",
    "panel_roles",
    "passed_over",
    "referral_bonus_due",
    "referral_notice_day",
    "retention_cron",
    "retention_day",
    "tier_refusal",
]

T = TypeVar("T")

FORMATION_ROLES = (Role.GEMEENTESECRETARIS, Role.OR_LID)  # REC-2
VACANCY_ROLES = (Role.PO_ADVISEUR, Role.MT_LID)  # REC-3
DECISION_ROLES = (Role.PO_ADVISEUR, Role.MT_LID, Role.MEDEWERKER)  # REC-8: P&O, MT, a colleague
TERMS_ROLES = (Role.LEIDINGGEVENDE, Role.PO_ADVISEUR)  # REC-9: the four-eyes terms talk
# REC-13: the recruiter or a colleague holds the koffiemoment.
KOFFIEMOMENT_HOSTS = frozenset({Role.RECRUITER, Role.MEDEWERKER, Role.MT_LID, Role.PO_ADVISEUR})
MIN_VACANCY_TEXT = 20  # characters


class Tier(IntEnum):
    """The voorkeursbeleid (REC-4): a lower number goes first."""

    BOVENFORMATIEF = 1  # bovenformatief staff, or former staff on a UWO benefit
    EIGEN_MEDEWERKER = 2  # own employees
    DETACHERING_INLEEN = 3  # working for the municipality by secondment or hire
    EXTERN = 4  # external candidates

    @property
    def internal(self) -> bool:
        """Tiers 1 to 3 are internal candidates; only tier 4 is external."""
        return self is not Tier.EXTERN


class Standing(StrEnum):
    """How a person on the staff register works for the municipality (REC-4's tiers 1-3)."""

    IN_DIENST = "in_dienst"  # the municipality's own employee (a person without a recorded one)
    BOVENFORMATIEF = "bovenformatief"  # own employee working bovenformatief
    UWO = "uwo"  # former employee on a UWO benefit
    DETACHERING = "detachering"  # working for the municipality on secondment
    INLEEN = "inleen"  # hired (inleen, uitzendconstructie)

    @property
    def tier(self) -> Tier:
        """The voorkeursbeleid tier this standing gives."""
        if self in (Standing.BOVENFORMATIEF, Standing.UWO):
            return Tier.BOVENFORMATIEF
        if self is Standing.IN_DIENST:
            return Tier.EIGEN_MEDEWERKER
        return Tier.DETACHERING_INLEEN


def tier_refusal(tier: Tier, employee_id: str | None, standing: Standing | None) -> str | None:
    """Why the staff register does not support a declared tier 1-3 (REC-4), or None.

    `standing` is the register's for `employee_id` (None: no such person in the register); tier
    4 (external) needs nothing."""
    if not tier.internal:
        return None
    if not employee_id:
        return f"tier {int(tier)} is internal: give the employee_id from the staff register"
    if standing is None:
        return f"tier {int(tier)}: {employee_id} is not on the staff register"
    if standing.tier is not tier:
        return (
            f"tier {int(tier)} is not what the staff register says: {employee_id} is "
            f"{standing.value} (tier {int(standing.tier)})"
        )
    return None


def passed_over(pool: Iterable[tuple[str, int]], chosen: Iterable[str]) -> list[str]:
    """REC-4: the candidates not chosen whose tier is higher (a lower number) than that of a
    chosen one; each needs a recorded reason. `pool` holds (candidate id, tier)."""
    picked = set(chosen)
    tiers = dict(pool)
    lowest = max((tiers[c] for c in picked if c in tiers), default=0)
    return [c for c, t in tiers.items() if c not in picked and t < lowest]


def check_fte(fte: float) -> None:
    """A wervingsbehoefte asks for more than 0 and at most 40 fte (REC-1)."""
    if not 0 < fte <= 40:
        raise RecruitmentRefused(f"Cannot open a round for {fte} fte: expected more than 0.")


def check_different_people(pairs: Iterable[tuple[str | None, str | None, str]]) -> None:
    """Each pair that decides on a round together is two different people (REC-2, REC-3,
    REC-9). `pairs` are (person id, person id, what the pair decides); None is nobody yet."""
    for first, second, what in pairs:
        if first is not None and first == second:
            raise RecruitmentRefused(
                f"Cannot open a round with {first} as both {what}: "
                "these decisions need two different people."
            )


def check_vacancy_text(round_id: str, text: str) -> None:
    """A vacancy text has at least a sentence: 20 characters without the spaces around (REC-3)."""
    if len(text.strip()) < MIN_VACANCY_TEXT:
        raise RecruitmentRefused(
            f"Cannot draft the vacancy text of round {round_id}: it is shorter than "
            f"{MIN_VACANCY_TEXT} characters."
        )


def external_publication_day(published_on: date, window_days: int, calendar: WorkCalendar) -> date:
    """The working day the vacancy goes external: after the internal window (REC-4)."""
    return calendar.next_working_day(published_on + timedelta(days=window_days))


def interview_order(items: Iterable[T], key: Callable[[T], tuple[int, int]]) -> list[T]:
    """Higher tiers first, internal before external, then in order of application (REC-4/6).

    `key(item)` returns (tier, application sequence).
    """
    return sorted(items, key=key)


def not_selected_reason(round_no: int) -> str:
    """The reason category a candidate not selected for interview round `round_no` hears
    (REC-11): not selected at all, or not after the first interview."""
    return "niet_geselecteerd" if round_no == 1 else "na_eerste_gesprek"


def interview_slots(
    first: datetime, count: int, *, minutes: int, gap: int, day_end: time, calendar: WorkCalendar
) -> list[tuple[datetime, datetime]]:
    """`count` consecutive slots from `first` (local), continuing on the next working day."""
    tz = ZoneInfo(TIMEZONE)
    first = first.astimezone(tz)
    day = calendar.next_working_day(first.date())
    start = datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=tz)
    slots: list[tuple[datetime, datetime]] = []
    length = timedelta(minutes=minutes)
    while len(slots) < count:
        end = start + length
        if (
            end.timetz().replace(tzinfo=None) > day_end
            and slots
            and slots[-1][0].date() == start.date()
        ):
            day = calendar.add_working_days(start.date(), 1)
            start = datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=tz)
            continue
        slots.append((start, end))
        start = end + timedelta(minutes=gap)
    return slots


@dataclass(frozen=True, slots=True)
class Panel:
    """Who holds an interview: person ids by seat (the roles, and "collega")."""

    members: dict[str, str]


def panel_roles(round_no: int, *, po_id: str, mt_lid_id: str, colleague_id: str | None) -> Panel:
    """Round 1: P&O, MT-lid, optionally a colleague (REC-6); round 2 needs the colleague (REC-7)."""
    members: dict[str, str] = {Role.PO_ADVISEUR: po_id, Role.MT_LID: mt_lid_id}
    if round_no == 2 and colleague_id is None:
        raise RecruitmentRefused(
            "Cannot plan the second interview round: it is held by the "
            "MT-lid, P&O and a colleague of the department, and the round "
            "has no colleague."
        )
    if round_no not in (1, 2):
        raise RecruitmentRefused(f"Cannot plan interview round {round_no}: there are two.")
    if colleague_id is not None:
        members["collega"] = colleague_id
    return Panel(members)


def check_contract_terms(contract_type: str, months: int | None) -> None:
    """The agreed terms name a known contract type; a 'vast' contract has no months and every
    other type has them (REC-9)."""
    if contract_type not in frozenset(ContractType) or (contract_type != ContractType.VAST) != bool(
        months
    ):
        raise RecruitmentRefused(
            f"Cannot record terms {contract_type}/{months}: a "
            "'vast' contract has no months, every other type has them."
        )


def retention_day(closed_on: date, *, consent: bool, weeks: int, consent_months: int) -> date:
    """The day a rejected candidate's personal data goes: weeks after closing, or months (X-3)."""
    return add_months(closed_on, consent_months) if consent else closed_on + timedelta(weeks=weeks)


def retention_cron(times: Iterable[time]) -> str:
    """The daily cron of the retention purge: the earliest retention time of the
    municipalities (X-3), as "minute hour * * *" (the schedule's time zone is Amsterdam)."""
    at = min(times)
    return f"{at.minute} {at.hour} * * *"


def referral_notice_day(first_working_day: date, waiting_days: int, calendar: WorkCalendar) -> date:
    """The working day the salary administration hears of a referral bonus (REC-12)."""
    return calendar.next_working_day(first_working_day + timedelta(days=waiting_days))


def referral_bonus_due(day: date, first_working_day: date, *, hire_cancelled: bool) -> bool:
    """Whether the salary administration hears of a referral bonus on `day` (REC-12): once the
    referred colleague is in service, and never for a hire that was cancelled."""
    return not hire_cancelled and day >= first_working_day


def gate_outcome(asked: dict[str, str], decisions: Iterable[tuple[str, str, bool]]) -> str:
    """'approved', 'rejected' or 'pending', counting only the people asked in their role.

    `decisions` are (role, person id, approve). A decision by someone holding the role but not
    asked for this round counts for nothing: the gate stays pending (REC-2/3/8/9).
    """
    counted = [(role, ok) for role, person, ok in decisions if asked.get(role) == person]
    if any(not ok for _, ok in counted):
        return "rejected"
    return "approved" if set(asked) <= {role for role, _ in counted} else "pending"
