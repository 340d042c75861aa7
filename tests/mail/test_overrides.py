"""A municipality's own mail templates and house style (X-5): used for its mails only, and
checked before use."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from poflow._exceptions import ConfigError
from poflow.cli import app
from poflow.config import load_all
from poflow.importer import import_hires, import_staff
from poflow.mail.overrides import check_overrides
from poflow.runtime import _runtime, get_runtime
from poflow.settings import SHIPPED_CONFIG_DIR, SHIPPED_TEMPLATES_DIR
from tests.conftest import EXAMPLES, SmtpRecorder
from tests.support import simulate

OWN_FOOTER = "Eigen sjabloon van Hardenberg: bel ons gerust."
# Fictional people of Kaag en Braassem (the shared examples are all of Hardenberg).
KAAG_STAFF = """employee_id,given_name,family_name,email,team,roles,municipality
KB-0101,Fenna,Brouwer,fenna.brouwer@kaag.example.nl,P&O,po_adviseur,kaag-en-braassem
KB-0102,Joost,Meijer,joost.meijer@kaag.example.nl,Dienstverlening,leidinggevende,kaag-en-braassem
KB-0103,Sanne,Kok,sanne.kok@kaag.example.nl,Dienstverlening,medewerker,kaag-en-braassem
"""
KAAG_HIRES = (
    "hire_id,given_name,family_name,private_email,work_email,team,function,manager_id,"
    "buddy_id,contract_type,contract_months,start_date,municipality\n"
    "NH-2027-101,Ruben,Smit,ruben.smit@example.org,ruben.smit@kaag.example.nl,Dienstverlening,"
    "Klantcontactmedewerker,KB-0102,KB-0103,vast,,2027-02-01,kaag-en-braassem\n"
)


def _config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG_DIR, config)
    monkeypatch.setenv("POFLOW_CONFIG_DIR", str(config))
    return config


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_x_5_a_municipality_replaces_the_mail_layout_and_colours_its_header(
    poflow_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpRecorder
):
    """Hardenberg's own `mail/_base.txt`, header colour and logo are in every mail of Hardenberg and
    in no mail of Kaag en Braassem, which keeps poflow's layout."""
    config = _config_copy(tmp_path, monkeypatch)
    layout = (SHIPPED_TEMPLATES_DIR / "mail" / "_base.txt").read_text(encoding="utf-8")
    _write(
        config / "hardenberg" / "templates" / "mail" / "_base.txt",
        layout.replace("Met vriendelijke groet,", f"{OWN_FOOTER}\n\nMet vriendelijke groet,"),
    )
    yaml_file = config / "hardenberg" / "municipality.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8")
        + 'mail_colour: "#5a1f6b"\nlogo_url: "https://www.hardenberg.example.nl/logo.png"\n',
        encoding="utf-8",
    )
    _write(tmp_path / "staff_kb.csv", KAAG_STAFF)
    _write(tmp_path / "hires_kb.csv", KAAG_HIRES)
    rt: Any = get_runtime()
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_staff(session, tmp_path / "staff_kb.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)
        import_hires(session, tmp_path / "hires_kb.csv", rt.configs)
    per_day = simulate(rt, smtp, date(2027, 1, 4), date(2027, 1, 22))
    sent = [m for day in per_day.values() for m in day]
    by_town: dict[bool, list[Any]] = {True: [], False: []}
    for message in sent:
        by_town["Hardenberg" in str(message["From"])].append(message)
    assert by_town[True]
    assert by_town[False]
    for message in by_town[True]:
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert OWN_FOOTER in text, message["Subject"]
        assert "background:#5a1f6b" in html
        assert '<img src="https://www.hardenberg.example.nl/logo.png" alt=""' in html
    for message in by_town[False]:
        assert OWN_FOOTER not in message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "background:#00477f" in html
        assert "<img" not in html


def test_x_5_an_override_poflow_cannot_use_is_refused_naming_its_file(tmp_path: Path):
    """A name poflow does not ship (a typo), broken Jinja2, a variable the mail is not given
    and a file outside mail/ are each refused with the file named; a good override passes."""
    own = tmp_path / "templates"
    good = (SHIPPED_TEMPLATES_DIR / "mail" / "mail_geparkeerd.txt").read_text(encoding="utf-8")
    _write(own / "mail" / "mail_geparkeerd.txt", good.replace("Beste", "Hallo"))
    assert check_overrides(own, SHIPPED_TEMPLATES_DIR) == 1
    _write(own / "mail" / "checkins" / "uitnodigin.txt", "typo")
    _write(own / "mail" / "mail_geparkeerd.html", "{% if %}")
    _write(own / "mail" / "_base.txt", "{{ geheim_wachtwoord }}")
    _write(own / "web" / "confirm.html", "pagina")
    with pytest.raises(ConfigError) as refused:
        check_overrides(own, SHIPPED_TEMPLATES_DIR)
    problems = "\n".join(refused.value.problems)
    assert "mail/checkins/uitnodigin.txt: poflow has no template of that name" in problems
    assert "mail/mail_geparkeerd.html, line 1: not valid Jinja2" in problems
    assert "mail/_base.txt: uses {{ geheim_wachtwoord }}" in problems
    assert "web/confirm.html: only mail templates" in problems
    assert "mail_geparkeerd.txt" not in problems


def test_x_5_config_check_names_a_bad_override_and_an_unreadable_header_colour(
    poflow_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`poflow config check` counts a municipality's own templates, and exits 1 naming the
    file for a bad one and the key for a header colour white text cannot be read on."""
    config = _config_copy(tmp_path, monkeypatch)
    layout = (SHIPPED_TEMPLATES_DIR / "mail" / "_base.txt").read_text(encoding="utf-8")
    _write(config / "hardenberg" / "templates" / "mail" / "_base.txt", layout)
    runner = CliRunner()

    def check() -> Any:  # as a fresh `poflow config check` process: nothing cached
        _runtime.cache_clear()
        load_all.cache_clear()
        return runner.invoke(app, ["config", "check"])

    ok = check()
    assert ok.exit_code == 0, ok.output
    assert "hardenberg: Gemeente Hardenberg (" in ok.output
    assert "1 own template(s)) OK" in ok.output
    _write(config / "hardenberg" / "templates" / "mail" / "welkom.txt", "x")
    bad = check()
    assert bad.exit_code == 1
    assert "mail/welkom.txt: poflow has no template of that name" in bad.output
    shutil.rmtree(config / "hardenberg" / "templates")
    yaml_file = config / "kaag-en-braassem" / "municipality.yaml"
    yaml_file.write_text(
        yaml_file.read_text(encoding="utf-8") + 'mail_colour: "#ffcc00"\n', encoding="utf-8"
    )
    pale = check()
    assert pale.exit_code == 1
    assert "mail_colour" in pale.output
    assert "WCAG AA" in pale.output
