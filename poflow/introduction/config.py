"""introduction.yaml: target groups, session series, modules, the individual line (INT-1..6)."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import Field, model_validator

from poflow.config import MunicipalityConfig, Section
from poflow.introduction.cohort import CohortKind
from poflow.introduction.rules import EVALUATION, START, SeriesRule, TargetGroup, TargetRule
from poflow.kernel.vocabulary import ContractType, Role

__all__ = ["IntroductionSection", "ItemConfig", "SeriesConfig", "TargetRuleConfig", "section"]

_ROLES = frozenset(Role)
_CONTRACT_TYPES = frozenset(ContractType)


class TargetRuleConfig(Section):
    """One line of the target-group table (INT-1); the first matching line wins."""

    contract_type: str = Field(min_length=2)
    group: TargetGroup
    longer_than_months: int | None = Field(default=None, ge=0)
    at_most_months: int | None = Field(default=None, ge=0)

    def rule(self) -> TargetRule:
        """The pure rule."""
        return TargetRule(
            self.contract_type, self.group, self.longer_than_months, self.at_most_months
        )


class SeriesConfig(Section):
    """A group-session series: when, how long, where, how many seats, who hosts (INT-3)."""

    title: str = Field(min_length=2)
    anchor: date = Field(description="The first session of the series (a date on or after it)")
    every_weeks: int | None = Field(default=None, ge=1, le=52)
    every_months: int | None = Field(default=None, ge=1, le=12)
    time: time
    duration_minutes: int = Field(gt=0, le=480)
    location: str = Field(min_length=2)
    capacity: int = Field(ge=1, le=500)
    host_role: str | None = None
    invite_working_days_before: int = Field(ge=1, le=40)
    reminder_working_days_before: int = Field(ge=1, le=10)
    close_working_days_after: int = Field(ge=1, le=20)
    max_attempts: int = Field(default=3, ge=1, le=10)

    @model_validator(mode="after")
    def _one_interval(self) -> SeriesConfig:
        if (self.every_weeks is None) == (self.every_months is None):
            raise ValueError("give exactly one of every_weeks or every_months")
        if self.reminder_working_days_before >= self.invite_working_days_before:
            raise ValueError(
                "reminder_working_days_before must be less than invite_working_days_before"
            )
        return self

    def rule(self) -> SeriesRule:
        """The pure series rule."""
        return SeriesRule(self.anchor, self.every_weeks, self.every_months)


class ItemConfig(Section):
    """One item of the programme, in the programme's order within its line (INT-2, INT-4, INT-5)."""

    key: str = Field(pattern=r"^[a-z0-9_]{2,24}$")
    title: str = Field(min_length=2)
    line: Literal["welkom", "modules", "individueel"]
    kind: Literal["sessie", "klassikaal", "elearning", "tma", "startontwikkelgesprek"]
    series: SeriesConfig | None = None  # klassikaal: its own session series
    description: str = ""
    months_after_start: int | None = Field(default=None, ge=1, le=12)  # tma
    duration_minutes: int | None = Field(default=None, gt=0, le=480)  # tma: the debrief's length

    @model_validator(mode="after")
    def _series_where_needed(self) -> ItemConfig:
        if self.kind == "klassikaal" and self.series is None:
            raise ValueError(f"classroom module {self.key!r} needs a series")
        if self.kind == "tma" and (self.months_after_start is None or not self.duration_minutes):
            raise ValueError(f"item {self.key!r} needs months_after_start and duration_minutes")
        return self


class IntroductionSection(Section):
    """The whole introduction programme of one municipality."""

    enabled: bool
    programme_months: int = Field(ge=1, le=24)
    default_group: TargetGroup
    target_groups: list[TargetRuleConfig]
    enrol_roles: list[str] = Field(min_length=1)
    start_meeting: SeriesConfig
    evaluation: SeriesConfig
    items: list[ItemConfig] = Field(min_length=1)
    variants: dict[str, list[str]]
    primary_variant: str
    secondary_variant: str
    attendance_role: str = Field(min_length=2)
    coach_role: str = Field(min_length=2)
    talk_time: time
    talk_duration_minutes: int = Field(gt=0, le=480)
    talk_location: str = Field(min_length=2)
    elearning_reminder_working_days_before: list[int] = Field(min_length=1)
    talk_reminder_working_days_before: int = Field(ge=1, le=10)
    talk_invite_working_days_before: int = Field(ge=2, le=60)

    @model_validator(mode="after")
    def _variants_known(self) -> IntroductionSection:
        keys = [i.key for i in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError("items: every key must be unique")
        for name, members in self.variants.items():
            unknown = sorted(set(members) - set(keys))
            if unknown:
                raise ValueError(f"variant {name!r} names unknown item(s): {', '.join(unknown)}")
        for which in (self.primary_variant, self.secondary_variant):
            if which not in self.variants:
                raise ValueError(f"variant {which!r} is not defined under variants")
        roles = {
            self.attendance_role,
            self.coach_role,
            *self.enrol_roles,
            *(x.host_role for x in (self.start_meeting, self.evaluation) if x.host_role),
        }
        if roles - _ROLES:
            raise ValueError(
                f"unknown role(s) {', '.join(sorted(roles - _ROLES))}; known: "
                f"{', '.join(sorted(_ROLES))}"
            )
        contracts = {r.contract_type for r in self.target_groups}
        if contracts - _CONTRACT_TYPES:
            raise ValueError(
                f"target_groups: unknown contract type(s) "
                f"{', '.join(sorted(contracts - _CONTRACT_TYPES))}"
            )
        lines = [i.line for i in self.items]
        order = {"welkom": 0, "modules": 1, "individueel": 2}
        if [order[x] for x in lines] != sorted(order[x] for x in lines):
            raise ValueError(
                "items must run in the programme's order: welkom, modules, individueel (INT-2)"
            )
        return self

    def rules(self) -> list[TargetRule]:
        """The target-group table as pure rules."""
        return [r.rule() for r in self.target_groups]

    def item(self, key: str) -> ItemConfig:
        """The item with this key."""
        for it in self.items:
            if it.key == key:
                return it
        raise KeyError(key)

    def variant_items(self, variant: str) -> list[ItemConfig]:
        """The items of a variant, in the programme's order (INT-6)."""
        members = set(self.variants[variant])
        return [i for i in self.items if i.key in members]

    def series_of(self, series: str) -> tuple[SeriesConfig, CohortKind]:
        """The series config and cohort rule of "start", "evaluatie" or a module key."""
        if series == START:
            return self.start_meeting, CohortKind.STARTED
        if series == EVALUATION:
            return self.evaluation, CohortKind.IN_PERIOD
        it = self.item(series)
        if it.series is None:
            raise KeyError(series)
        return it.series, CohortKind.IN_ORDER

    def module_keys(self) -> list[str]:
        """The classroom modules, each a series of its own, in the programme's order."""
        return [i.key for i in self.items if i.kind == "klassikaal"]

    def series_keys(self) -> list[str]:
        """Every series: the two warm-welcome sessions, then the classroom modules in order."""
        return [START, EVALUATION, *self.module_keys()]


def section(config: MunicipalityConfig) -> IntroductionSection:
    """The municipality's introduction.yaml."""
    return config.section("introduction", IntroductionSection)
