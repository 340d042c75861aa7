"""coaching.yaml: the categories the career coach counts in, and the registrations target (LBC)."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from poflow.config import MunicipalityConfig, Section

__all__ = ["Choice", "ChoiceKind", "CoachingSection", "coaching_section"]

ChoiceKind = Literal["domains", "reasons", "sources", "early_end_reasons"]


class Choice(Section):
    """One category: a stable key (stored) and the Dutch label the report shows."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    label: str = Field(min_length=2, max_length=120)


def _fold(value: str) -> str:
    return re.sub(r"[\s_\-–—]+", " ", value).strip().casefold()


class CoachingSection(Section):
    """Domains, reason categories, sources, early-end reasons and the growth target (X-5)."""

    domains: list[Choice] = Field(min_length=1)
    reasons: list[Choice] = Field(min_length=1, max_length=9)
    sources: list[Choice] = Field(min_length=1)
    early_end_reasons: list[Choice] = Field(min_length=1)
    target_growth_percent: int = Field(ge=0, le=500)
    targets: dict[int, int] = Field(default_factory=dict)
    service_start: date | None = None
    first_report_year: int | None = Field(default=None, ge=2000, le=2100)

    @model_validator(mode="after")
    def _consistent(self) -> CoachingSection:
        for kind in ("domains", "reasons", "sources", "early_end_reasons"):
            keys = [c.key for c in getattr(self, kind)]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{kind}: every key must be unique (got {', '.join(keys)})")
        for year, value in self.targets.items():
            if not 2000 <= year <= 2100 or value < 1:
                raise ValueError(
                    f"targets: {year}: {value} must be a year 2000..2100 with a "
                    "target of at least 1"
                )
        if (self.service_start is None) != (self.first_report_year is None):
            raise ValueError(
                "service_start and first_report_year go together: give both or neither"
            )
        if (
            self.service_start
            and self.first_report_year
            and not (
                self.first_report_year - 1 <= self.service_start.year <= self.first_report_year
            )
        ):
            raise ValueError("service_start must fall in first_report_year or the year before")
        return self

    def choices(self, kind: ChoiceKind) -> list[Choice]:
        """The configured categories of one kind, in report order."""
        return list(getattr(self, kind))

    def label(self, kind: ChoiceKind, key: str) -> str:
        """The Dutch label of a key (the key itself when it is no longer configured)."""
        return next((c.label for c in self.choices(kind) if c.key == key), key)

    def match(self, kind: ChoiceKind, value: str) -> str | None:
        """The key meant by `value`: a key, a label or a 1-based number; None when unknown."""
        wanted = _fold(value)
        if not wanted:
            return None
        options = self.choices(kind)
        if wanted.isdigit() and 1 <= int(wanted) <= len(options):
            return options[int(wanted) - 1].key
        for choice in options:
            if wanted in (_fold(choice.key), _fold(choice.label)):
                return choice.key
        return None

    def describe(self, kind: ChoiceKind) -> str:
        """The options of one kind as a Dutch list for messages and forms."""
        return "; ".join(f"{n}. {c.label}" for n, c in enumerate(self.choices(kind), start=1))


def coaching_section(config: MunicipalityConfig) -> CoachingSection:
    """The municipality's coaching.yaml."""
    return config.section("coaching", CoachingSection)
