"""conversations.yaml: dates, reminders and probation periods of the conversation cycle (GES)."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field, field_validator

from poflow.config import Section
from poflow.conversations.rules import DayCount
from poflow.kernel.vocabulary import ContractType

__all__ = ["ConversationSection"]

_CONTRACT_TYPES = frozenset(ContractType)


class ConversationSection(Section):
    """When the richtgesprek and beoordelingsgesprek are, and when to ask, remind and escalate."""

    plan_from: Literal["introductie", "proeftijd"]
    probation_months: dict[str, int]
    min_contract_months: int = Field(ge=0, le=24)
    richtgesprek_working_days_after_probation: int = Field(ge=1, le=60)
    months_richt_to_beoordeling: int = Field(ge=1, le=12)
    months_between_cycles: int = Field(ge=6, le=24)
    raise_min_months: int = Field(ge=1, le=24)
    startontwikkelgesprek_is_richtgesprek: bool
    introduction_months: int = Field(ge=1, le=24)
    introduction_check_working_days: int = Field(ge=1, le=20)
    introduction_wait_max_months: int = Field(ge=1, le=12)
    time: time
    duration_minutes: int = Field(gt=0, le=240)
    location: str = Field(min_length=2)
    invite_working_days_before: int = Field(ge=1, le=60)
    reminder_working_days_before: int = Field(ge=1, le=20)
    pop_deadline_days_before: int = Field(ge=1, le=10)
    pop_deadline_counted_in: DayCount = DayCount.KALENDERDAGEN
    pop_request_working_days_before_deadline: int = Field(ge=1, le=40)
    pop_reminder_working_days_before_deadline: int = Field(ge=1, le=10)
    form_working_days_before: int = Field(ge=1, le=20)
    form_reminder_working_days_after: int = Field(ge=1, le=20)
    escalate_working_days_after: int = Field(ge=2, le=60)

    @field_validator("probation_months")
    @classmethod
    def _known_contracts(cls, table: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(table) - _CONTRACT_TYPES)
        if unknown:
            raise ValueError(
                f"unknown contract type(s) {', '.join(unknown)}; known: "
                f"{', '.join(sorted(_CONTRACT_TYPES))}"
            )
        if any(not 0 <= m <= 2 for m in table.values()):
            raise ValueError("a probation period is 0, 1 or 2 months (BW 7:652)")
        return table
