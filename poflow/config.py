"""Per-municipality configuration: one folder per municipality, one YAML file per section (X-5).

`config/<slug>/municipality.yaml` holds the identity and calendar, `links.yaml` how long links
live; every process with a `section` in its declaration owns one more file, named after the
process (`checkins.yaml`, `onboarding.yaml`, ...). Each file is validated by its pydantic model at
load; a wrong or missing value raises ConfigError naming the file, the key and what is expected.
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from poflow._exceptions import ConfigError, NotFound
from poflow.kernel.calendar import WorkCalendar
from poflow.kernel.contrast import AA_NORMAL_TEXT, contrast_ratio

__all__ = [
    "CORE_SECTIONS",
    "LinkSection",
    "MunicipalityConfig",
    "MunicipalitySection",
    "Section",
    "Sections",
    "load_all",
    "load_municipality",
]

S = TypeVar("S", bound="Section")


class Section(BaseModel):
    """Base of every configuration section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MunicipalitySection(Section):
    """Who the municipality is, who sends its mail and which days it is closed."""

    name: str = Field(min_length=2, description="Display name, e.g. 'Gemeente Hardenberg'")
    sender_name: str = Field(min_length=2)
    sender_email: EmailStr
    po_mailbox: EmailStr = Field(description="P&O team mailbox: escalations and failure notices")
    salary_admin_email: EmailStr
    first_day_time: time
    first_day_place: str = Field(min_length=2)
    dispatch_time: time = time(7, 0)
    closing_days: list[date] = Field(default_factory=list)
    mail_colour: str = Field(
        default="#00477f",
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="The mails' header colour, #RRGGBB; its white text must be readable",
    )
    logo_url: str | None = Field(
        default=None,
        pattern=r"^https://[^\s\"'<>]+$",
        max_length=500,
        description="An https address of the logo shown in the mails' header (optional)",
    )

    @field_validator("mail_colour")
    @classmethod
    def _readable(cls, colour: str) -> str:
        ratio = contrast_ratio(colour, "#ffffff")
        if ratio < AA_NORMAL_TEXT:
            raise ValueError(
                f"white header text on {colour} has contrast {ratio:.1f}:1; WCAG AA asks at "
                f"least {AA_NORMAL_TEXT}:1 (choose a darker colour)"
            )
        return colour


class LinkSection(Section):
    """links.yaml: how long an action link stays valid, in days, per action name."""

    default_expires_days: int = Field(ge=1, le=365)
    expires_days: dict[str, int] = Field(default_factory=dict)


# The sections every municipality has whatever its processes: section name (= file stem) ->
# model. Each process adds its own (ProcessSpec.section, under the process's name).
CORE_SECTIONS: dict[str, type[Section]] = {
    "municipality": MunicipalitySection,
    "links": LinkSection,
}
# What load_municipality is given: (section name, model) pairs, in order.
Sections = tuple[tuple[str, type[Section]], ...]


class MunicipalityConfig(BaseModel):
    """All validated sections of one municipality."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    slug: str
    folder: Path
    sections: dict[str, Any]

    @property
    def municipality(self) -> MunicipalitySection:
        """The identity section."""
        return self.sections["municipality"]

    @property
    def name(self) -> str:
        """Display name, e.g. 'Gemeente Hardenberg'."""
        return self.municipality.name

    @property
    def own_templates(self) -> Path:
        """`templates/` in the municipality's folder: templates that replace poflow's own."""
        return self.folder / "templates"

    def templates(self, shipped: Path) -> tuple[Path, ...]:
        """Where this municipality's mails are looked up: its own folder (when it has one),
        then `shipped`."""
        return (self.own_templates, shipped) if _is_dir(self.own_templates) else (shipped,)

    @property
    def house_style(self) -> dict[str, str | None]:
        """What the mail layout takes from the municipality: header colour and logo."""
        return {"kleur": self.municipality.mail_colour, "logo": self.municipality.logo_url}

    def section(self, name: str, model: type[S]) -> S:
        """Return section `name`, checked to be of type `model`."""
        value = self.sections[name]
        if not isinstance(value, model):
            raise TypeError(f"Section {name!r} of {self.slug} is {type(value).__name__}")
        return value

    @property
    def calendar(self) -> WorkCalendar:
        """This municipality's working-day calendar (CAO holidays plus closing days)."""
        return _calendar(tuple(self.municipality.closing_days))


@lru_cache(maxsize=64)
def _is_dir(folder: Path) -> bool:
    return folder.is_dir()


@lru_cache(maxsize=64)
def _calendar(closing_days: tuple[date, ...]) -> WorkCalendar:
    return WorkCalendar(closing_days)


def _describe(error: ErrorDetails) -> str:
    key = ".".join(str(p) for p in error["loc"]) or "(top level)"
    if error["type"] == "missing":
        return f"key '{key}': missing, a value is required"
    if error["type"] == "extra_forbidden":
        return f"key '{key}': unknown key (typo?)"
    got = error.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"key '{key}': {error['msg']} (got {shown})"


def _load_section(file: Path, model: type[Section]) -> Section:
    if not file.is_file():
        raise ConfigError(str(file), ["file is missing: every municipality needs this section"])
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(str(file), [f"not valid YAML: {exc}"]) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(str(file), ["expected a mapping of keys to values at the top level"])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(str(file), [_describe(e) for e in exc.errors()]) from exc


def load_municipality(config_dir: Path, slug: str, sections: Sections) -> MunicipalityConfig:
    """Load and validate each of `sections` of municipality `slug` from `config_dir/slug/`:
    one file per section, `<name>.yaml`."""
    folder = Path(config_dir) / slug
    if not folder.is_dir():
        raise NotFound(f"Unknown municipality {slug!r}: no folder {folder}")
    loaded = {name: _load_section(folder / f"{name}.yaml", model) for name, model in sections}
    return MunicipalityConfig(slug=slug, folder=folder, sections=loaded)


@lru_cache(maxsize=8)
def load_all(config_dir: Path, sections: Sections) -> dict[str, MunicipalityConfig]:
    """Load every municipality folder in `config_dir` (cached per folder and sections)."""
    folders = sorted(p.name for p in Path(config_dir).iterdir() if p.is_dir())
    if not folders:
        raise ConfigError(str(config_dir), ["no municipality folders found"])
    return {slug: load_municipality(Path(config_dir), slug, sections) for slug in folders}
