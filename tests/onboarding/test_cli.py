"""Tests of `poflow status` and `poflow onboarding` (ONB-4, BUD-1)."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from poflow.db.models import Hire, Person
from tests.onboarding.support import ctx_for, import_examples
from tests.support import cli_login

DAY = date(2027, 2, 16)
HB = "hardenberg"


def _planned_examples(rt):
    """The example hires imported and planned on 4 January 2027, one item of NH-2027-001 done."""
    from poflow.onboarding.steps import complete_item
    from poflow.runtime import run_day

    import_examples(rt)
    run_day(rt, date(2027, 1, 4), municipality=HB, send=False)
    with rt.factory() as session, session.begin():
        complete_item(ctx_for(rt, session, HB, DAY), "NH-2027-001", "controle-id", by="HB-0002")


def test_onb_4_poflow_status_prints_the_table_and_the_onboarding_commands_work(sqlite_runtime):
    """`poflow status` shows the rows; `poflow onboarding done` (as the operator) and `buddy`
    (as the P&O adviser logged in) change the hire."""
    from poflow.cli import app

    _planned_examples(sqlite_runtime)
    runner = CliRunner()
    shown = runner.invoke(app, ["status", "--municipality", HB, "--date", DAY.isoformat()])
    assert shown.exit_code == 0, shown.output
    assert "Onboarding Gemeente Hardenberg, 2027-02-16" in shown.output
    assert "NH-2027-001" in shown.output
    assert "3/0/9" in shown.output
    done = runner.invoke(app, ["onboarding", "done", "NH-2027-001", "bos-bloemen"])
    assert done.exit_code == 0, done.output
    assert "is now done" in done.output
    again = runner.invoke(app, ["onboarding", "done", "NH-2027-001", "bos-bloemen"])
    assert "was already done" in again.output
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0099"])
    assert "Log eerst in: poflow login" in buddy.output  # a buddy is chosen by someone
    cli_login(sqlite_runtime, "HB-0002")
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0006"])
    assert buddy.exit_code == 1  # HB-0006 is the hire's own leidinggevende (BUD-1)
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0011"])
    assert buddy.exit_code == 1  # HB-0011 works in another team
    with sqlite_runtime.factory() as session, session.begin():
        session.add(
            Person(
                id="HB-0099",
                municipality=HB,
                given_name="Vera",
                family_name="Pauw",
                email="vera.pauw@hardenberg.example.nl",
                team="Maatschappelijk domein",
            )
        )
    buddy = runner.invoke(app, ["onboarding", "buddy", "NH-2027-002", "HB-0099"])
    assert buddy.exit_code == 0, buddy.output
    with sqlite_runtime.factory() as session:
        assert session.get(Hire, "NH-2027-002").buddy_id == "HB-0099"
