"""coaching.yaml (X-5, LBC-1): a wrong file names file and key; categories match by key, label
or number; every example municipality ships the seed's categories."""

from __future__ import annotations

from pathlib import Path

import pytest

from poflow._exceptions import ConfigError
from poflow.coaching.config import CoachingSection
from poflow.config import _load_section
from tests.coaching.support import HARDENBERG, section


def test_x_5_a_wrong_coaching_yaml_names_file_and_key(tmp_path: Path) -> None:
    """A duplicate key or a negative growth is refused naming the file and the key."""
    text = HARDENBERG.read_text(encoding="utf-8")
    bad = tmp_path / "coaching.yaml"
    bad.write_text(
        text.replace("target_growth_percent: 20", "target_growth_percent: -5"), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="key 'target_growth_percent'") as caught:
        _load_section(bad, CoachingSection)
    assert str(bad) in str(caught.value)
    bad.write_text(text.replace("key: ruimtelijk,", "key: bedrijfsvoering,"), encoding="utf-8")
    with pytest.raises(ConfigError, match="domains: every key must be unique"):
        _load_section(bad, CoachingSection)


def test_lbc_1_categories_match_by_key_label_or_number() -> None:
    """'3', 'openbaar gebied' and 'Openbaar gebied' all mean the same domain; junk means none."""
    cfg = section()
    assert {cfg.match("domains", v) for v in ("3", "openbaar gebied", "openbaar_gebied")} == {
        "openbaar_gebied"
    }
    assert cfg.match("reasons", "Ontwikkelvraag - advies") == "ontwikkeladvies"
    assert cfg.match("domains", "9") is None
    assert cfg.match("domains", "") is None


@pytest.mark.parametrize("slug", ["hardenberg", "kaag-en-braassem", "borger-odoorn"])
def test_x_5_every_municipality_ships_the_seed_reason_categories(slug: str) -> None:
    """Each example municipality has coaching.yaml with seed 004's three categories and +20 %."""
    cfg = _load_section(HARDENBERG.parent.parent / slug / "coaching.yaml", CoachingSection)
    assert isinstance(cfg, CoachingSection)
    assert [c.label for c in cfg.reasons] == [
        "Wat wil ik?",
        "Ontwikkelvraag – advies",
        "Intern of extern andere baan",
    ]
    assert cfg.target_growth_percent == 20
