"""checkins.yaml: the check-ins' section of a municipality's configuration (X-5)."""

from __future__ import annotations

from datetime import time

from pydantic import Field, StrictBool, field_validator

from poflow.config import Section

__all__ = ["CheckinSection"]


class CheckinSection(Section):
    """checkins.yaml: when the talks are, how long, and when to remind and escalate."""

    months_after_start: list[int] = Field(min_length=1)
    time: time
    duration_minutes: int = Field(gt=0, le=480)
    location: str = Field(min_length=2)
    reminder_working_days_before: int = Field(ge=1, le=20)
    record_reminder_working_days_after: int = Field(ge=1, le=20)
    escalate_working_days_after: int = Field(ge=2, le=60)
    # CHK-1: whether talks after the end of a temporary contract (or internship) are planned.
    plan_past_contract_end: StrictBool = False

    @field_validator("months_after_start")
    @classmethod
    def _increasing(cls, months: list[int]) -> list[int]:
        if any(m <= 0 for m in months) or months != sorted(set(months)):
            raise ValueError("must be increasing whole months after the first working day")
        return months
