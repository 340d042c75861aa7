"""Tests of onboarding.yaml: each municipality's checklist holds Bijlage 2 and validates (ONB-1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from poflow._exceptions import ConfigError
from poflow.config import load_municipality
from poflow.kernel.calendar import WorkCalendar
from poflow.onboarding.config import OnboardingSection
from poflow.onboarding.rules import Phase, Pillar, parse_offset
from poflow.runtime import config_sections

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seeds" / "001_ea00c9f0cb2a05c8.txt"
CAL = WorkCalendar()
SLUGS = ("kaag-en-braassem", "hardenberg", "borger-odoorn")


# -- the seed's Bijlage 2 -------------------------------------------------------------------------
PHASES = {
    "vóór de eerste werkdag": Phase.VOOR,
    "de eerste werkdag": Phase.EERSTE_WERKDAG,
    "de eerste drie maanden": Phase.DRIE_MAANDEN,
    "de eerste zes maanden": Phase.ZES_MAANDEN,
}
PILLARS = {
    "strategisch": Pillar.STRATEGISCH,
    "stratgegisch": Pillar.STRATEGISCH,
    "operationeel": Pillar.OPERATIONEEL,
    "socialisatie": Pillar.SOCIALISATIE,
}


def section(slug: str) -> OnboardingSection:
    """The validated onboarding.yaml of one municipality."""
    raw = yaml.safe_load((ROOT / "config" / slug / "onboarding.yaml").read_text("utf-8"))
    return OnboardingSection.model_validate(raw)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def bijlage_2_items() -> list[tuple[Phase, Pillar, str]]:
    """(phase, pillar, item line) for every item line of Bijlage 2, read from the seed itself."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(
        i for i, line in enumerate(lines) if "Bijlage 2: checklist welkomstprogramma" in line
    )
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("Bijlage 3"))
    items: list[tuple[Phase, Pillar, str]] = []
    phase: Phase | None = None
    pillar: Pillar | None = None
    for raw in lines[start + 1 : end]:
        line = " ".join(raw.split())
        if not line or line in {"Checklist onboarding", "Taak?"}:
            continue
        if line.casefold() in PHASES:
            phase, pillar = PHASES[line.casefold()], None
            continue
        first, _, rest = line.partition(" ")
        if first.casefold() in PILLARS:
            pillar, line = PILLARS[first.casefold()], rest
        assert phase is not None, f"item before its heading: {line!r}"
        assert pillar is not None, f"item before its heading: {line!r}"
        items.append((phase, pillar, line))
    return items


def _matches(template_seed: str, line: str) -> bool:
    """True when the template's seed text equals the line; "<naam>" stands for one name."""
    parts = [re.escape(re.sub(r"\s+", " ", p).casefold()) for p in template_seed.split("<naam>")]
    return re.fullmatch(r"[^\s,]+".join(parts), _norm(line)) is not None


def test_onb_1_seed_parser_finds_the_55_items_of_bijlage_2():
    """The seed's Bijlage 2 yields 55 item lines over four phases and three pillars."""
    items = bijlage_2_items()
    assert len(items) == 55
    assert {p for p, _, _ in items} == set(Phase)
    assert {p for _, p, _ in items} == set(Pillar)
    assert (Phase.ZES_MAANDEN, Pillar.SOCIALISATIE, "Vier successen") in items


def test_onb_1_kaag_en_braassem_template_holds_every_item_of_bijlage_2_in_phase_and_pillar():
    """Every item line of the seed's Bijlage 2 is one template item with its phase and pillar."""
    template = section("kaag-en-braassem").items
    unused = list(template)
    missing = []
    for phase, pillar, line in bijlage_2_items():
        match = next(
            (
                i
                for i in unused
                if i.seed and i.phase == phase and i.pillar == pillar and _matches(i.seed, line)
            ),
            None,
        )
        if match is None:
            missing.append(f"{phase.value}/{pillar.value}: {line}")
        else:
            unused.remove(match)
    assert not missing, "Bijlage 2 items missing from the template:\n" + "\n".join(missing)


def test_onb_1_template_without_an_item_fails_the_comparison():
    """Dropping one item from the template makes the Bijlage 2 comparison report it."""
    template = [i for i in section("kaag-en-braassem").items if i.key != "bloemen-dopper"]
    missing = [
        line
        for phase, pillar, line in bijlage_2_items()
        if not any(
            i.seed and i.phase == phase and i.pillar == pillar and _matches(i.seed, line)
            for i in template
        )
    ]
    assert missing == ["Bloemen + Dopper voor op werkplek bij eerste werkdag"]


def test_onb_1_every_municipality_ships_a_valid_template_with_all_four_phases():
    """The three example municipalities load, and each template covers every phase."""
    for slug in SLUGS:
        cfg = load_municipality(ROOT / "config", slug, config_sections()).section(
            "onboarding", OnboardingSection
        )
        assert {i.phase for i in cfg.items} == set(Phase), slug
        assert {i.system for i in cfg.items} >= {"buddy", "checkins"}, slug


def test_onb_1_hardenberg_template_holds_the_warm_welcome_items():
    """Hardenberg's template has the start package, the flowers and the "Het gaat om" intro."""
    titles = " | ".join(i.title for i in section("hardenberg").items).casefold()
    assert "startpakket" in titles
    assert "bos bloemen" in titles
    assert "het gaat om" in titles


def test_onb_1_a_due_offset_outside_its_phase_is_a_config_error_naming_file_and_key(tmp_path):
    """An item "before day one" due after day one is refused with file and key named (X-5)."""
    for slug in SLUGS:
        (tmp_path / slug).mkdir()
        for f in (ROOT / "config" / slug).glob("*.yaml"):
            (tmp_path / slug / f.name).write_text(f.read_text("utf-8"), "utf-8")
    broken = tmp_path / "borger-odoorn" / "onboarding.yaml"
    broken.write_text(
        broken.read_text("utf-8").replace("due: -10wd, system: buddy", "due: 3wd, system: buddy"),
        "utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_municipality(tmp_path, "borger-odoorn", config_sections())
    assert "onboarding.yaml" in str(err.value)
    assert "items.0" in str(err.value)
    assert "does not fall in phase voor_eerste_werkdag" in str(err.value)


def test_onb_1_offsets_read_working_days_and_months():
    """ "-5wd", "0wd", "+2wd" and "3m" parse; anything else is refused."""
    assert (parse_offset("-5wd").amount, parse_offset("-5wd").unit) == (-5, "wd")
    assert (parse_offset("+2wd").amount, parse_offset("3m").unit) == (2, "m")
    with pytest.raises(ValueError, match="working days"):
        parse_offset("5 dagen")
    with pytest.raises(ValidationError):
        OnboardingSection.model_validate(
            {
                **yaml.safe_load((ROOT / "config/hardenberg/onboarding.yaml").read_text("utf-8")),
                "items": [
                    {
                        "key": "x1",
                        "title": "Dubbel",
                        "phase": "eerste_werkdag",
                        "pillar": "socialisatie",
                        "owner": "buddy",
                        "due": "0wd",
                    }
                ]
                * 2,
            }
        )
