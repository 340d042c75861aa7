"""The rules of the onboarding checklist (ONB-1..4) as pure functions: no I/O.

The phases and pillars of the checklist, the due date of an item, whether it applies to a
contract, who owns it and who hears about it at which notice level (and on which working day),
and when the welcomes go out. The buddy's rules are in `poflow.onboarding.buddy_rules`.
A municipality's `onboarding.yaml` supplies the numbers (`poflow.onboarding.config`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final, Literal, Protocol

from poflow.kernel.calendar import WorkCalendar
from poflow.kernel.vocabulary import Role

__all__ = [
    "AFGEROND",
    "BUDDY",
    "LATE_WELCOME_WORKING_DAYS",
    "LEVEL_RANK",
    "OWNERS",
    "OWNER_LABELS",
    "Audience",
    "ItemTerms",
    "Level",
    "NoticeRhythm",
    "Offset",
    "Owner",
    "Phase",
    "Pillar",
    "applies",
    "due_fits_phase",
    "event_dates",
    "home_welcome_date",
    "item_due",
    "levels_for",
    "notice_audience",
    "owner_person_id",
    "parse_offset",
    "phase_on",
    "welcomes_at_home",
    "work_welcome_date",
]


# -- the checklist's phases and pillars (ONB-1) ---------------------------------------------------
class Phase(StrEnum):
    """The four phases of Bijlage 2, in order."""

    VOOR = "voor_eerste_werkdag"
    EERSTE_WERKDAG = "eerste_werkdag"
    DRIE_MAANDEN = "eerste_drie_maanden"
    ZES_MAANDEN = "eerste_zes_maanden"

    @property
    def label(self) -> str:
        """The Dutch heading of the phase."""
        return _PHASE_LABELS[self]


_PHASE_LABELS = {
    Phase.VOOR: "Vóór de eerste werkdag",
    Phase.EERSTE_WERKDAG: "De eerste werkdag",
    Phase.DRIE_MAANDEN: "De eerste drie maanden",
    Phase.ZES_MAANDEN: "De eerste zes maanden",
}
AFGEROND: Final = "afgerond"  # where a hire is after the six months of phase_on


class Pillar(StrEnum):
    """The three pillars of the welcome programme."""

    STRATEGISCH = "strategisch"
    OPERATIONEEL = "operationeel"
    SOCIALISATIE = "socialisatie"


def phase_on(calendar: WorkCalendar, first_working_day: date, day: date) -> str:
    """ONB-4: where a hire is on `day`: a phase value, or "afgerond" after six months."""
    if day < first_working_day:
        return Phase.VOOR.value
    if day == first_working_day:
        return Phase.EERSTE_WERKDAG.value
    if day < calendar.months_after(first_working_day, 3):
        return Phase.DRIE_MAANDEN.value
    if day < calendar.months_after(first_working_day, 6):
        return Phase.ZES_MAANDEN.value
    return AFGEROND


# -- due dates (ONB-1) ----------------------------------------------------------------------------
_OFFSET = re.compile(r"^\s*([+-]?\d+)\s*(wd|m)\s*$")


@dataclass(frozen=True)
class Offset:
    """A due offset from the first working day: working days ("-5wd") or calendar months ("3m")."""

    amount: int
    unit: Literal["wd", "m"]

    def __str__(self) -> str:
        return f"{self.amount:+d}{self.unit}"


def parse_offset(value: object) -> Offset:
    """Read "-5wd", "0wd", "+2wd" or "3m" into an Offset; ValueError for anything else."""
    if isinstance(value, Offset):
        return value
    match = _OFFSET.match(str(value))
    if match is None:
        raise ValueError("expected working days like '-5wd' / '+2wd' or months like '3m'")
    unit: Literal["wd", "m"] = "m" if match.group(2) == "m" else "wd"
    return Offset(amount=int(match.group(1)), unit=unit)


def due_fits_phase(phase: Phase, due: Offset) -> bool:
    """ONB-1: an item is due within its phase: before day one in working days before it, on day
    one itself, within three months (65 working days), within six months (130 working days)."""
    amount, unit = due.amount, due.unit
    if phase == Phase.VOOR:
        return unit == "wd" and amount < 0
    if phase == Phase.EERSTE_WERKDAG:
        return unit == "wd" and amount == 0
    if phase == Phase.DRIE_MAANDEN:
        return (unit == "wd" and 0 < amount <= 65) or (unit == "m" and 0 < amount <= 3)
    return (unit == "wd" and 0 < amount <= 130) or (unit == "m" and 0 < amount <= 6)


def item_due(calendar: WorkCalendar, first_working_day: date, offset: Offset) -> date:
    """ONB-1: the working day an item is due: N working days or N calendar months from day one."""
    if offset.unit == "m":
        return calendar.months_after(first_working_day, offset.amount)
    return calendar.add_working_days(first_working_day, offset.amount)


class ItemTerms(Protocol):
    """What `applies` reads of a checklist item."""

    @property
    def contracts(self) -> Sequence[str]: ...

    @property
    def due(self) -> Offset: ...


def applies(item: ItemTerms, contract_type: str, contract_months: int | None) -> bool:
    """ONB-2: True when the item is meant for this contract type and falls within the contract."""
    if contract_type not in item.contracts:
        return False
    return not (
        contract_months is not None and item.due.unit == "m" and item.due.amount > contract_months
    )


# -- who owns an item, who hears about it (ONB-3) -------------------------------------------------
BUDDY: Final = "buddy"  # the hire's buddy: an owner that is no role of the staff register
# Who may own an item: a role, the hire's buddy, or the new colleague ("medewerker") themself.
Owner = Literal["po_adviseur", "leidinggevende", "ict", "facilitair", "buddy", "medewerker"]
OWNERS: tuple[str, ...] = (
    Role.PO_ADVISEUR,
    Role.LEIDINGGEVENDE,
    Role.ICT,
    Role.FACILITAIR,
    BUDDY,
    Role.MEDEWERKER,
)
# How a digest names an item's owner.
OWNER_LABELS: dict[str, str] = {
    Role.PO_ADVISEUR: "P&O",
    Role.LEIDINGGEVENDE: "leidinggevende",
    Role.ICT: "ICT",
    Role.FACILITAIR: "Facilitaire zaken",
    BUDDY: "buddy",
    Role.MEDEWERKER: "nieuwe collega",
}


def owner_person_id(
    owner: str, *, hire_id: str, manager_id: str | None, buddy_id: str | None
) -> str | None:
    """The one person owning an item of the hire, or None when its owner is a role (or the
    hire has no buddy yet): the leidinggevende, the buddy, or the new colleague."""
    if owner == Role.LEIDINGGEVENDE:
        return manager_id
    if owner == BUDDY:
        return buddy_id
    if owner == Role.MEDEWERKER:
        return hire_id
    return None


class Level(StrEnum):
    """What an item's owner (or the next in line) hears about it, each at most once (ONB-3)."""

    ANNOUNCE = "announce"  # the item is due soon: to the owner
    REMIND = "remind"  # the item is overdue: to the owner
    ESCALATE_MANAGER = "escalate_manager"  # still overdue: to the hire's leidinggevende
    ESCALATE_PO = "escalate_po"  # still overdue: to the P&O mailbox


# The later a level, the higher it ranks: a digest shows an item once, at its highest level.
LEVEL_RANK = {Level.ANNOUNCE: 0, Level.REMIND: 1, Level.ESCALATE_MANAGER: 2, Level.ESCALATE_PO: 3}


class Audience(StrEnum):
    """Who hears about an item at one notice level (ONB-3)."""

    PO = "po"  # the P&O team mailbox
    MANAGER = "manager"  # the hire's leidinggevende
    BUDDY = "buddy"  # the hire's buddy, or the leidinggevende while there is none
    HIRE = "hire"  # the new colleague
    ROLE = "role"  # everyone holding the owner's role (P&O when nobody does)


def levels_for(owner: str) -> tuple[Level, ...]:
    """ONB-3: the notice levels of an item: nobody is escalated to about their own item."""
    levels = [Level.ANNOUNCE, Level.REMIND]
    if owner != Role.LEIDINGGEVENDE and owner != Role.PO_ADVISEUR:
        levels.append(Level.ESCALATE_MANAGER)
    if owner != Role.PO_ADVISEUR:
        levels.append(Level.ESCALATE_PO)
    return tuple(levels)


def notice_audience(level: Level, owner: str) -> Audience:
    """ONB-3: who hears about an item at `level`: its owner when it is announced or reminded,
    then the leidinggevende, then P&O (owner -> leidinggevende -> P&O)."""
    if level == Level.ESCALATE_PO:
        return Audience.PO
    if level == Level.ESCALATE_MANAGER or owner == Role.LEIDINGGEVENDE:
        return Audience.MANAGER
    if owner == BUDDY:
        return Audience.BUDDY
    if owner == Role.MEDEWERKER:
        return Audience.HIRE
    if owner == Role.PO_ADVISEUR:
        return Audience.PO
    return Audience.ROLE


class NoticeRhythm(Protocol):
    """The numbers of onboarding.yaml that set when an item's notices go out (ONB-3)."""

    @property
    def lookahead_working_days(self) -> int: ...

    @property
    def remind_working_days_after(self) -> int: ...

    @property
    def escalate_manager_working_days_after(self) -> int: ...

    @property
    def escalate_po_working_days_after(self) -> int: ...


def event_dates(
    calendar: WorkCalendar,
    section: NoticeRhythm,
    *,
    due: date,
    owner: str,
    planned_on: date,
) -> dict[Level, date]:
    """ONB-3: the working day each notice of an item goes out, if the item is still open then.

    Nothing goes out before the day the hire was planned: an item planned late is announced
    (and, when already overdue, reminded) on the first working day from then on.
    """
    offsets = {
        Level.ANNOUNCE: -section.lookahead_working_days,
        Level.REMIND: section.remind_working_days_after,
        Level.ESCALATE_MANAGER: section.escalate_manager_working_days_after,
        Level.ESCALATE_PO: section.escalate_po_working_days_after,
    }
    first = calendar.next_working_day(planned_on)
    return {
        level: max(calendar.add_working_days(due, offsets[level]), first)
        for level in levels_for(owner)
    }


# -- the welcomes (ONB-2) -------------------------------------------------------------------------
# A hire planned this long after day one gets no day-one welcome any more.
LATE_WELCOME_WORKING_DAYS: Final = 5


def welcomes_at_home(day: date, first_working_day: date) -> bool:
    """ONB-2: the welcome at the private address is only sent before day one."""
    return day < first_working_day


def home_welcome_date(
    calendar: WorkCalendar, first_working_day: date, *, planned_on: date, working_days_before: int
) -> date | None:
    """ONB-2: the day the welcome at home goes out: N working days before day one, or at once
    when the hire is planned later; None from day one on."""
    if not welcomes_at_home(planned_on, first_working_day):
        return None
    return max(planned_on, calendar.add_working_days(first_working_day, -working_days_before))


def work_welcome_date(
    calendar: WorkCalendar, first_working_day: date, *, planned_on: date
) -> date | None:
    """ONB-2: the welcome at work goes out on day one; None for a hire planned more than
    LATE_WELCOME_WORKING_DAYS working days after it."""
    late = calendar.add_working_days(first_working_day, LATE_WELCOME_WORKING_DAYS)
    return first_working_day if planned_on <= late else None
