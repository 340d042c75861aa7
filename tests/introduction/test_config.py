"""Tests of introduction.yaml for the three municipalities (INT-1..6 as configuration, X-5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poflow._exceptions import ConfigError
from poflow.config import load_municipality
from poflow.introduction.config import section
from poflow.introduction.rules import TargetGroup
from poflow.runtime import config_sections
from poflow.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config"


def _hardenberg():
    return section(load_municipality(CONFIG, "hardenberg", config_sections()))


def test_int_3_hardenberg_ships_seed_000_session_series():
    """INT-3: start meeting every 6 weeks for 1 h with the gemeentesecretaris; evaluation 3 h
    every 3 months."""
    cfg = _hardenberg()
    assert cfg.enabled
    assert cfg.programme_months == 6
    assert (
        cfg.start_meeting.every_weeks,
        cfg.start_meeting.duration_minutes,
        cfg.start_meeting.host_role,
    ) == (6, 60, "gemeentesecretaris")
    assert (cfg.evaluation.every_months, cfg.evaluation.duration_minutes) == (3, 180)


def test_int_2_and_int_4_items_run_in_the_programme_order_of_seed_000():
    """INT-2/INT-4: welcome, then the four classroom modules and two e-learnings, then TMA and
    the startontwikkelgesprek."""
    cfg = _hardenberg()
    assert [(i.key, i.kind) for i in cfg.variant_items("volledig")] == [
        ("start", "sessie"),
        ("evaluatie", "sessie"),
        ("eed", "klassikaal"),
        ("on_tour", "klassikaal"),
        ("dienstverlening_1", "klassikaal"),
        ("dienstverlening_2", "klassikaal"),
        ("selfservice", "klassikaal"),
        ("werken_bij", "elearning"),
        ("infoveiligheid", "elearning"),
        ("tma", "tma"),
        ("startgesprek", "startontwikkelgesprek"),
    ]
    durations = {i.key: i.series.duration_minutes for i in cfg.items if i.series}
    assert durations == {
        "eed": 60,
        "on_tour": 180,
        "dienstverlening_1": 120,
        "dienstverlening_2": 120,
        "selfservice": 90,
    }


def test_int_6_light_variant_holds_only_the_need_to_knows():
    """INT-6: the light variant is configuration: a start meeting, self-service and security."""
    cfg = _hardenberg()
    assert cfg.secondary_variant == "light"
    assert [i.key for i in cfg.variant_items("light")] == ["start", "selfservice", "infoveiligheid"]


def test_int_1_target_groups_are_configured_per_seed_000():
    """INT-1: bestuurders are excluded, vast is primary, inhuur is secondary."""
    cfg = _hardenberg()
    groups = {
        (r.contract_type, r.longer_than_months, r.at_most_months): r.group
        for r in cfg.target_groups
    }
    assert groups[("bestuurder", None, None)] == TargetGroup.EXCLUDED
    assert groups[("vast", None, None)] == TargetGroup.PRIMARY
    assert groups[("stage", 6, None)] == TargetGroup.PRIMARY
    assert groups[("stage", None, 6)] == TargetGroup.SECONDARY


@pytest.mark.parametrize("slug", ["kaag-en-braassem", "borger-odoorn"])
def test_x_5_other_municipalities_load_with_the_programme_switched_off(slug):
    """X-5: the other two ship the seed-000 programme but switched off by configuration."""
    cfg = section(load_municipality(CONFIG, slug, config_sections()))
    assert cfg.enabled is False
    assert cfg.start_meeting.every_weeks == 6


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(CONFIG, tmp_path / "config")
    file = tmp_path / "config" / "hardenberg" / "introduction.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path / "config"


def test_x_5_a_wrong_value_names_the_file_and_the_key(tmp_path):
    """X-5: a non-number for every_weeks is refused, naming introduction.yaml and the key."""
    folder = _broken(tmp_path, "every_weeks: 6", "every_weeks: zes")
    with pytest.raises(ConfigError) as err:
        load_municipality(folder, "hardenberg", config_sections())
    assert "introduction.yaml" in str(err.value)
    assert "start_meeting.every_weeks" in str(err.value)


def test_int_6_a_variant_naming_an_unknown_item_is_refused(tmp_path):
    """INT-6: the light variant may only list items of the programme."""
    folder = _broken(tmp_path, "light: [start,", "light: [koffie, start,")
    with pytest.raises(ConfigError, match="unknown item"):
        load_municipality(folder, "hardenberg", config_sections())


def test_x_5_an_unknown_role_is_refused(tmp_path):
    """X-5: a host role nobody can hold (a typo) is refused instead of inviting nobody."""
    folder = _broken(tmp_path, "host_role: gemeentesecretaris", "host_role: gemeentesecretaries")
    with pytest.raises(ConfigError, match="unknown role"):
        load_municipality(folder, "hardenberg", config_sections())
