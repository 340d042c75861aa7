"""recruitment.yaml: every municipality ships one, and a wrong one is named (X-5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poflow._exceptions import ConfigError
from poflow.config import load_municipality
from poflow.runtime import config_sections
from tests.conftest import ROOT


def test_x_5_every_municipality_ships_recruitment_settings_and_a_wrong_one_is_named(
    tmp_path: Path,
) -> None:
    """The three example municipalities load; a missing reason text names file and key (X-5)."""
    for slug in ("hardenberg", "kaag-en-braassem", "borger-odoorn"):
        cfg = load_municipality(ROOT / "config", slug, config_sections()).sections["recruitment"]
        assert cfg.referral_bonus_eur == 250
        assert cfg.retention_weeks == 4
    folder = tmp_path / "hardenberg"
    folder.mkdir()
    for f in (ROOT / "config" / "hardenberg").iterdir():
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    broken = (
        (folder / "recruitment.yaml")
        .read_text(encoding="utf-8")
        .replace("  teruggetrokken:", "  weggelopen:")
    )
    (folder / "recruitment.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"recruitment.yaml") as err:
        load_municipality(tmp_path, "hardenberg", config_sections())
    assert "rejection_reasons" in str(err.value)
    assert "teruggetrokken" in str(err.value)
