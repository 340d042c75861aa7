"""onboarding.yaml: the checklist template, the digest rhythm, welcome and buddy timing (ONB-1).

A municipality's file is validated into an `OnboardingSection`; what its numbers mean is in
`poflow.onboarding.rules`.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from poflow.config import Section
from poflow.kernel.vocabulary import ContractType
from poflow.onboarding.rules import Offset, Owner, Phase, Pillar, due_fits_phase, parse_offset

if TYPE_CHECKING:
    from poflow.engine import Context

__all__ = ["CelebrationSection", "ChecklistItem", "OnboardingSection", "onboarding_section"]


class ChecklistItem(Section):
    """One checklist item of the template (ONB-1)."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,47}$")
    title: str = Field(min_length=3, max_length=200)
    phase: Phase
    pillar: Pillar
    owner: Owner
    due: Offset
    contracts: list[ContractType] = Field(default_factory=lambda: list(ContractType))
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
        if not due_fits_phase(self.phase, self.due):
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


def onboarding_section(ctx: Context) -> OnboardingSection:
    """The municipality's onboarding.yaml."""
    return ctx.config.section("onboarding", OnboardingSection)
