"""Tests that a new process can be added through exactly the steps of docs/adding-a-process.md.

The example process, "welkomstkaart", asks each new hire's leidinggevende to send a welcome card
a configurable number of working days before the first working day. It is written as files of a
package, with its configuration and templates in copies of config/ and templates/, declared with
one ProcessSpec and added to the list of processes; then a dispatcher day runs it.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from poflow._exceptions import ConfigError
from poflow.engine import Registry
from poflow.importer import import_hires, import_staff
from poflow.processes import PROCESSES
from poflow.runtime import build_runtime, run_day
from poflow.settings import Settings
from tests.conftest import EXAMPLES, SmtpRecorder

NAME = "welkomstkaart"
# Step 1: the package, with the files of the shape that this process needs.
PACKAGE = {
    "__init__.py": '"""An example process: a welcome card from the leidinggevende."""\n',
    "rules.py": '''
        """When the card is due: working days before the first working day (pure)."""

        from datetime import date

        from poflow.kernel.calendar import WorkCalendar

        KIND = "kaart.vragen"


        def card_due(calendar: WorkCalendar, first_working_day: date, days_before: int) -> date:
            """The working day `days_before` working days before the first working day."""
            return calendar.add_working_days(first_working_day, -days_before)
    ''',
    "config.py": '''
        """welkomstkaart.yaml: how many working days before day one the card is asked for."""

        from pydantic import Field

        from poflow.config import Section


        class CardSection(Section):
            """The example process's section."""

            days_before: int = Field(ge=1, le=20)
    ''',
    "planner.py": '''
        """One dated action per hire: ask the leidinggevende for a card."""

        from welkomstkaart.config import CardSection
        from welkomstkaart.rules import KIND, card_due


        def plan_card(ctx, hire):
            """Schedule the card request (safe to repeat: the key is the hire's)."""
            cfg = ctx.config.section("welkomstkaart", CardSection)
            due = card_due(ctx.calendar, hire.first_working_day, cfg.days_before)
            ctx.schedule(case_type="hire", case_id=hire.id, kind=KIND,
                         key=f"{KIND}:{hire.id}", due=due)
    ''',
    "handlers.py": '''
        """The card request mail."""

        from poflow.db.models import Hire
        from welkomstkaart.rules import KIND


        def ask_for_card(ctx, action):
            """Mail the hire's leidinggevende (queued once under the action's key, X-1)."""
            hire = ctx.session.get(Hire, action.case_id)
            manager = ctx.person(hire.manager_id)
            ctx.mail(key=f"{action.key}:lg", template="welkomstkaart/vragen",
                     to=ctx.recipient(manager), context={"medewerker": hire.full_name},
                     case_type="hire", case_id=hire.id, action=action)
            return True


        HANDLERS = {KIND: ask_for_card}
    ''',
    "process.py": '''
        """The example process's one declaration."""

        from poflow.engine import ProcessSpec
        from welkomstkaart.config import CardSection
        from welkomstkaart.handlers import HANDLERS
        from welkomstkaart.planner import plan_card

        SPEC = ProcessSpec(
            name="welkomstkaart",
            rules="EX-1",
            section=CardSection,
            planner=plan_card,
            handlers=HANDLERS,
        )
    ''',
}
TEMPLATES = {
    "vragen.txt": """\
        {% extends "mail/_base.txt" %}
        {% block subject %}Welkomstkaart voor {{ medewerker }}{% endblock %}
        {% block content %}
        Beste {{ ontvanger.name }},

        Wil je een welkomstkaart sturen aan {{ medewerker }}?
        {% endblock %}
    """,
    "vragen.html": """\
        {% extends "mail/_base.html" %}
        {% block title %}Welkomstkaart{% endblock %}
        {% block content %}
        <p>Wil je een welkomstkaart sturen aan {{ medewerker }}?</p>
        {% endblock %}
    """,
}


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def example_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poflow_env: dict[str, str]
) -> tuple[Settings, Registry]:
    """The steps of the guide, in order; returns the settings and the registry with it."""
    _write(tmp_path / "src" / NAME, PACKAGE)  # 1. the package
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    from welkomstkaart.process import SPEC  # 2. its declaration

    registry = Registry.build([*PROCESSES, SPEC])  # 3. added to the list of processes
    base = Settings()
    shutil.copytree(base.config_dir, tmp_path / "config")
    for folder in (tmp_path / "config").iterdir():  # 4. its configuration, per municipality
        (folder / f"{NAME}.yaml").write_text("days_before: 3\n", encoding="utf-8")
    shutil.copytree(base.templates_dir, tmp_path / "templates")
    _write(tmp_path / "templates" / "mail" / NAME, TEMPLATES)  # 6. its templates
    settings = base.model_copy(
        update={"config_dir": tmp_path / "config", "templates_dir": tmp_path / "templates"}
    )
    return settings, registry


def test_x_5_a_new_process_runs_through_a_tick_once_declared(
    example_process: tuple[Settings, Registry], smtp: SmtpRecorder
):
    """Declared and listed, the example process is planned, performed and mailed on its day,
    once (X-1), with nothing else registered or imported by hand."""
    settings, registry = example_process
    rt = build_runtime(settings, registry)
    with rt.factory() as session, session.begin():
        import_staff(session, EXAMPLES / "staff.csv", rt.configs)
        import_hires(session, EXAMPLES / "hires.csv", rt.configs)
    run_day(rt, date(2027, 1, 4), municipality="hardenberg")  # imported: planned
    first = len(smtp.messages)
    run_day(rt, date(2027, 1, 27), municipality="hardenberg")  # 3 working days before 1 Feb
    cards = [m for m in smtp.messages[first:] if "Welkomstkaart" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in cards] == ["Welkomstkaart voor Lotte Hendriks"]
    assert "dirk.mulder@hardenberg.example.nl" in str(cards[0]["To"])
    again = len(smtp.messages)
    run_day(rt, date(2027, 1, 27), municipality="hardenberg")
    assert len(smtp.messages) == again


def test_x_5_a_declared_process_without_its_yaml_file_is_refused(
    example_process: tuple[Settings, Registry], tmp_path: Path
):
    """Step 4 is not optional: a municipality without the new section's file is a ConfigError
    naming that file."""
    settings, registry = example_process
    (tmp_path / "config" / "hardenberg" / f"{NAME}.yaml").unlink()
    with pytest.raises(ConfigError, match=r"hardenberg/welkomstkaart\.yaml"):
        build_runtime(settings, registry)
