"""conversations.yaml of every municipality (GES-1..6 as configuration, X-5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poflow._exceptions import ConfigError
from poflow.config import load_municipality
from poflow.conversations.config import ConversationSection
from poflow.runtime import config_sections
from tests.conftest import ROOT

CONFIG = ROOT / "config"


@pytest.mark.parametrize(
    ("slug", "plan_from"),
    [
        ("hardenberg", "introductie"),
        ("kaag-en-braassem", "proeftijd"),
        ("borger-odoorn", "proeftijd"),
    ],
)
def test_ges_1_every_municipality_ships_the_seed_defaults(slug: str, plan_from: str) -> None:
    """Each example municipality loads with the seed's numbers: one month's probation, ten
    months to the appraisal, twelve months for the raise, POP two calendar days before (GES-2)."""
    cfg = load_municipality(CONFIG, slug, config_sections()).section(
        "conversations", ConversationSection
    )
    assert cfg.plan_from == plan_from
    assert cfg.probation_months == {"vast": 1, "tijdelijk": 1}
    assert (cfg.months_richt_to_beoordeling, cfg.raise_min_months) == (10, 12)
    assert (cfg.pop_deadline_days_before, cfg.pop_deadline_counted_in) == (2, "kalenderdagen")


def test_ges_1_a_wrong_value_names_file_and_key(tmp_path: Path) -> None:
    """An unknown contract type in the probation table is refused naming the file and the key."""
    shutil.copytree(CONFIG / "kaag-en-braassem", tmp_path / "kaag-en-braassem")
    file = tmp_path / "kaag-en-braassem" / "conversations.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("  tijdelijk: 1", "  tijdelik: 1"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_municipality(tmp_path, "kaag-en-braassem", config_sections())
    assert "conversations.yaml" in str(err.value)
    assert "key 'probation_months'" in str(err.value)
    assert "tijdelik" in str(err.value)
