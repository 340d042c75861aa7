"""The onboarding checklist as pure rules: template items, due dates, who hears what and when.

No I/O here (ONB-1, ONB-3): a municipality's `onboarding.yaml` is validated into an
`OnboardingSection`; the functions below turn an item and a hire's first working day into dates.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from poflow.config import Section
from poflow.kernel.calendar import WorkCalendar

__all__ = [
    "CONTRACT_TYPES",
    "OWNER_ROLES",
    "CelebrationSection",
    "ChecklistItem",
    "Level",
    "Offset",
    "OnboardingSection",
    "Phase",
    "Pillar",
    "applies",
    "buddy_close_date",
    "event_dates",
    "item_due",
    "levels_for",
    "parse_offset",
    "phase_on",
]

CONTRACT_TYPES = ("vast", "tijdelijk", "stage", "detachering", "payroll", "inhuur", "bestuurder")
# Who owns an item. "medewerker" is the new employee; the others are roles or the hire's people.
OWNER_ROLES = ("po_adviseur", "leidinggevende", "ict", "facilitair", "buddy", "medewerker")
_OFFSET = re.compile(r"^\s*([+-]?\d+)\s*(wd|m)\s*$")


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


class Pillar(StrEnum):
    """The three pillars of the welcome programme."""

    STRATEGISCH = "strategisch"
    OPERATIONEEL = "operationeel"
    SOCIALISATIE = "socialisatie"


class Level(StrEnum):
    """What an item's owner (or the next in line) hears about it, each at most once (ONB-3)."""

    ANNOUNCE = "announce"  # the item is due soon: to the owner
    REMIND = "remind"  # the item is overdue: to the owner
    ESCALATE_MANAGER = "escalate_manager"  # still overdue: to the hire's leidinggevende
    ESCALATE_PO = "escalate_po"  # still overdue: to the P&O mailbox


class Offset(Section):
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
    return Offset(amount=int(match.group(1)), unit=match.group(2))  # type: ignore[arg-type]


class ChecklistItem(Section):
    """One checklist item of the template (ONB-1)."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,47}$")
    title: str = Field(min_length=3, max_length=200)
    phase: Phase
    pillar: Pillar
    owner: Literal["po_adviseur", "leidinggevende", "ict", "facilitair", "buddy", "medewerker"]
    due: Offset
    contracts: list[
        Literal["vast", "tijdelijk", "stage", "detachering", "payroll", "inhuur", "bestuurder"]
    ] = Field(default_factory=lambda: list(CONTRACT_TYPES))
    # Done by poflow itself when true: "buddy" once a buddy is assigned, "checkins" once the
    # check-ins are planned (CHK-1).
    system: Literal["buddy", "checkins"] | None = None
    # The item's line in the source document (seed 001 Bijlage 2), for traceability; "<naam>"
    # stands for a personal name that is not copied here.
    seed: str | None = None

    @field_validator("due", mode="before")
    @classmethod
    def _offset(cls, value: object) -> Offset:
        return parse_offset(value)

    @model_validator(mode="after")
    def _due_fits_phase(self) -> ChecklistItem:
        amount, unit = self.due.amount, self.due.unit
        ok = {
            Phase.VOOR: unit == "wd" and amount < 0,
            Phase.EERSTE_WERKDAG: unit == "wd" and amount == 0,
            Phase.DRIE_MAANDEN: (unit == "wd" and 0 < amount <= 65)
            or (unit == "m" and 0 < amount <= 3),
            Phase.ZES_MAANDEN: (unit == "wd" and 0 < amount <= 130)
            or (unit == "m" and 0 < amount <= 6),
        }[self.phase]
        if not ok:
            raise ValueError(
                f"item {self.key!r}: due {self.due} does not fall in phase {self.phase.value}"
            )
        return self


class CelebrationSection(Section):
    """The "vier successen" moment that closes the buddy trajectory (BUD-2)."""

    time: time
    duration_minutes: int = Field(gt=0, le=240)
    location: str = Field(min_length=2)
    invite_working_days_before: int = Field(ge=1, le=30)


class OnboardingSection(Section):
    """onboarding.yaml: the checklist template, the digest rhythm, welcome and buddy timing."""

    lookahead_working_days: int = Field(ge=0, le=30)
    remind_working_days_after: int = Field(ge=1, le=30)
    escalate_manager_working_days_after: int = Field(ge=1, le=60)
    escalate_po_working_days_after: int = Field(ge=1, le=90)
    welcome_working_days_before: int = Field(ge=1, le=30)
    buddy_inform_working_days_before: int = Field(ge=1, le=60)
    buddy_months: int = Field(ge=6, le=24)
    celebration: CelebrationSection
    items: list[ChecklistItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> OnboardingSection:
        keys = [i.key for i in self.items]
        doubles = sorted({k for k in keys if keys.count(k) > 1})
        if doubles:
            raise ValueError(f"item keys must be unique; repeated: {', '.join(doubles)}")
        if not (
            self.remind_working_days_after
            < self.escalate_manager_working_days_after
            < self.escalate_po_working_days_after
        ):
            raise ValueError("remind < escalate_manager < escalate_po working days must hold")
        return self


def item_due(calendar: WorkCalendar, first_working_day: date, offset: Offset) -> date:
    """The working day an item is due: N working days or N calendar months from day one."""
    if offset.unit == "m":
        return calendar.months_after(first_working_day, offset.amount)
    return calendar.add_working_days(first_working_day, offset.amount)


def applies(item: ChecklistItem, contract_type: str, contract_months: int | None) -> bool:
    """True when the item is meant for this contract type and falls within the contract."""
    if contract_type not in item.contracts:
        return False
    return not (
        contract_months is not None and item.due.unit == "m" and item.due.amount > contract_months
    )


def levels_for(owner: str) -> tuple[Level, ...]:
    """The notice levels of an item: nobody is escalated to about their own item (ONB-3)."""
    levels = [Level.ANNOUNCE, Level.REMIND]
    if owner != "leidinggevende" and owner != "po_adviseur":
        levels.append(Level.ESCALATE_MANAGER)
    if owner != "po_adviseur":
        levels.append(Level.ESCALATE_PO)
    return tuple(levels)


def event_dates(
    calendar: WorkCalendar,
    section: OnboardingSection,
    *,
    due: date,
    owner: str,
    planned_on: date,
) -> dict[Level, date]:
    """The working day each notice of an item goes out, if the item is still open then (ONB-3).

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


def buddy_close_date(
    calendar: WorkCalendar, first_working_day: date, *, months: int, contract_months: int | None
) -> date:
    """The day the buddy trajectory closes: after `months`, or at the end of a shorter contract."""
    if contract_months is not None:
        months = min(months, contract_months)
    return calendar.months_after(first_working_day, months)


def phase_on(calendar: WorkCalendar, first_working_day: date, day: date) -> str:
    """Where a hire is on `day`: a phase value, or "afgerond" after six months."""
    if day < first_working_day:
        return Phase.VOOR.value
    if day == first_working_day:
        return Phase.EERSTE_WERKDAG.value
    if day < calendar.months_after(first_working_day, 3):
        return Phase.DRIE_MAANDEN.value
    if day < calendar.months_after(first_working_day, 6):
        return Phase.ZES_MAANDEN.value
    return "afgerond"
