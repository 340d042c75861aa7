"""recruitment.yaml: the per-municipality settings of recruitment rounds (REC, X-3, X-5)."""

from __future__ import annotations

from datetime import time

from pydantic import AnyHttpUrl, EmailStr, Field, field_validator

from poflow.config import Section

__all__ = ["REQUIRED_REASONS", "PartnerMunicipality", "RecruitmentSection"]

# Reason categories the process itself uses; each municipality words them in its own file.
REQUIRED_REASONS = frozenset(
    {
        "niet_geselecteerd",
        "na_eerste_gesprek",
        "na_tweede_gesprek",
        "andere_kandidaat",
        "ronde_vervallen",
        "teruggetrokken",
        "geen_overeenstemming",
    }
)


class PartnerMunicipality(Section):
    """A municipality whose vacancies rejected candidates may be pointed to (REC-11)."""

    name: str = Field(min_length=2)
    vacancies_url: AnyHttpUrl


class RecruitmentSection(Section):
    """recruitment.yaml: windows, slots, the referral bonus, retention and mail wording."""

    internal_window_days: int = Field(ge=1, le=60)
    college_email: EmailStr
    college_name: str = Field(min_length=2)
    interview_minutes: int = Field(ge=15, le=240)
    interview_gap_minutes: int = Field(ge=0, le=120)
    interview_day_end: time
    interview_location: str = Field(min_length=2)
    koffiemoment_minutes: int = Field(ge=10, le=120)
    koffiemoment_location: str = Field(min_length=2)
    referral_bonus_eur: int = Field(ge=0, le=10_000)
    referral_bonus_net: bool = True
    referral_waiting_days: int = Field(ge=0, le=730)
    contract_working_days_before_start: int = Field(ge=0, le=60)
    retention_weeks: int = Field(ge=1, le=52)
    retention_consent_months: int = Field(ge=1, le=24)
    retention_time: time
    rejection_reasons: dict[str, str]
    partner_municipalities: list[PartnerMunicipality] = Field(default_factory=list)

    @field_validator("rejection_reasons")
    @classmethod
    def _all_reasons(cls, reasons: dict[str, str]) -> dict[str, str]:
        missing = sorted(REQUIRED_REASONS - set(reasons))
        if missing:
            raise ValueError(f"every reason category needs a text; missing: {', '.join(missing)}")
        if any(len(text.strip()) < 5 for text in reasons.values()):
            raise ValueError("each reason text needs at least a short sentence")
        return reasons
