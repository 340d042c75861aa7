"""Tests of per-municipality configuration loading and its error messages (X-5)."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path

import pytest

from poflow._exceptions import ConfigError, NotFound
from poflow.config import load_all, load_municipality
from poflow.runtime import config_sections
from poflow.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config"


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped config folder."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def test_x_5_three_example_municipalities_ship_and_load():
    """Hardenberg, Kaag en Braassem and Borger-Odoorn load with their names and sender."""
    configs = load_all(CONFIG, config_sections())
    assert {"hardenberg", "kaag-en-braassem", "borger-odoorn"} <= set(configs)
    kb = configs["kaag-en-braassem"]
    assert kb.name == "Gemeente Kaag en Braassem"
    assert kb.municipality.sender_email.endswith("@kaag-en-braassem.example.nl")
    assert kb.municipality.first_day_time == time(9, 0)


def test_x_5_check_in_offsets_are_the_seed_values():
    """The check-ins are at 1, 3 and 8 months as seed 001 says (CHK-1)."""
    for cfg in load_all(CONFIG, config_sections()).values():
        assert cfg.sections["checkins"].months_after_start == [1, 3, 8]


def test_x_5_closing_days_reach_the_calendar():
    """A closing day in municipality.yaml makes that day a non-working day."""
    kb = load_all(CONFIG, config_sections())["kaag-en-braassem"]
    assert not kb.calendar.is_working_day(date(2027, 12, 27))
    assert load_all(CONFIG, config_sections())["hardenberg"].calendar.is_working_day(
        date(2027, 12, 27)
    )


def test_x_5_a_wrong_value_names_the_file_the_key_and_the_expectation(config_copy: Path):
    """A text where a number belongs fails at load naming file, key and what is expected."""
    f = config_copy / "hardenberg" / "checkins.yaml"
    f.write_text(f.read_text().replace("duration_minutes: 60", "duration_minutes: een uur"))
    with pytest.raises(ConfigError) as err:
        load_municipality(config_copy, "hardenberg", config_sections())
    message = str(err.value)
    assert str(f) in message
    assert "duration_minutes" in message
    assert "integer" in message


def test_x_5_a_missing_key_is_named(config_copy: Path):
    """A removed required key is reported as missing, with its file."""
    f = config_copy / "borger-odoorn" / "municipality.yaml"
    f.write_text(
        "\n".join(line for line in f.read_text().splitlines() if not line.startswith("po_mailbox"))
    )
    with pytest.raises(ConfigError, match=r"po_mailbox': missing"):
        load_municipality(config_copy, "borger-odoorn", config_sections())


def test_x_5_an_unknown_key_is_reported_as_a_likely_typo(config_copy: Path):
    """A misspelt key is not silently ignored."""
    f = config_copy / "hardenberg" / "checkins.yaml"
    f.write_text(f.read_text() + "\nreminder_workingdays_before: 3\n")
    with pytest.raises(ConfigError, match="reminder_workingdays_before': unknown key"):
        load_municipality(config_copy, "hardenberg", config_sections())


def test_x_5_a_missing_section_file_is_named(config_copy: Path):
    """Deleting a section file fails with that file's path."""
    (config_copy / "hardenberg" / "checkins.yaml").unlink()
    with pytest.raises(ConfigError, match=r"checkins\.yaml"):
        load_municipality(config_copy, "hardenberg", config_sections())


def test_x_5_broken_yaml_and_bad_types_are_rejected(config_copy: Path):
    """Unparsable YAML, a list at the top and a bad e-mail address each fail clearly."""
    f = config_copy / "hardenberg" / "municipality.yaml"
    original = f.read_text()
    f.write_text("name: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_municipality(config_copy, "hardenberg", config_sections())
    f.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_municipality(config_copy, "hardenberg", config_sections())
    f.write_text(original.replace("po_mailbox: po@hardenberg.example.nl", "po_mailbox: geen-adres"))
    with pytest.raises(ConfigError, match="po_mailbox"):
        load_municipality(config_copy, "hardenberg", config_sections())


def test_x_5_check_in_months_must_increase(config_copy: Path):
    """Check-in months out of order are refused with the reason."""
    f = config_copy / "hardenberg" / "checkins.yaml"
    f.write_text(f.read_text().replace("[1, 3, 8]", "[3, 1, 8]"))
    with pytest.raises(ConfigError, match="increasing"):
        load_municipality(config_copy, "hardenberg", config_sections())


def test_an_unknown_municipality_is_not_found():
    """Asking for a municipality without a folder raises NotFound naming it."""
    with pytest.raises(NotFound, match="atlantis"):
        load_municipality(CONFIG, "atlantis", config_sections())
