"""`poflow cycle ...` and `poflow appraisal ...` as P&O uses them (GES-1, GES-4, GES-5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from typer.testing import CliRunner

from poflow._exceptions import AppraisalRequired
from poflow.cli import app
from poflow.conversations.case import find_cycle
from poflow.db.models import AuditEntry
from tests.conversations.support import (
    HIRE,
    add_kb_staff,
    plan_cycle_only,
)
from tests.support import cli_login

runner = CliRunner()


def test_ges_1_cycle_start_for_existing_staff_and_show_it(sqlite_runtime: Any) -> None:
    """P&O starts the cycle of a staff member at the top of the scale on a chosen date and sees
    the talks; without --manager or --joined the command says what is missing."""
    add_kb_staff(sqlite_runtime, hire_start=None)
    cli_login(sqlite_runtime, "KB-9002")
    missing = runner.invoke(
        app, ["cycle", "start", "KB-9005", "--date", "2027-06-07", "--joined", "2010-01-01"]
    )
    assert missing.exit_code != 0
    assert "--manager" in missing.output
    result = runner.invoke(
        app,
        [
            "cycle",
            "start",
            "KB-9005",
            "--date",
            "2027-06-07",
            "--manager",
            "KB-9003",
            "--joined",
            "2010-01-01",
            "--scale-max",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "richtgesprek 2027-06-07" in result.output
    shown = runner.invoke(app, ["cycle", "show", "KB-9005"])
    assert shown.exit_code == 0, shown.output
    assert "gekozen" in shown.output
    assert "scale max: yes" in shown.output
    assert "2028-04-07  open      Beoordelingsgesprek (ronde 1)" in shown.output
    listed = runner.invoke(app, ["cycle", "list", "--municipality", "kaag-en-braassem"])
    assert "KB-9005" in listed.output
    assert "1 cycle(s)." in listed.output


def test_ges_4_cycle_update_records_scale_facts(sqlite_runtime: Any) -> None:
    """P&O records the scale maximum and the last promotion the raise rule needs."""
    add_kb_staff(sqlite_runtime)
    plan_cycle_only(sqlite_runtime, date(2027, 2, 15))
    cli_login(sqlite_runtime, "KB-9002")
    result = runner.invoke(
        app, ["cycle", "update", HIRE, "--scale-max", "--last-promotion", "2027-09-01"]
    )
    assert result.exit_code == 0, result.output
    with sqlite_runtime.factory() as session:
        cycle = find_cycle(session, "hire", HIRE)
        assert cycle is not None
        assert cycle.at_scale_max
        assert cycle.last_promotion_on == date(2027, 9, 1)


def test_ges_5_appraisal_extra_then_decide_is_refused_and_audited(sqlite_runtime: Any) -> None:
    """`poflow appraisal extra` plans the extra talk; deciding before it is recorded fails with
    AppraisalRequired, and the refusal is in the audit log."""
    add_kb_staff(sqlite_runtime)
    cli_login(sqlite_runtime, "KB-9002")
    bad = runner.invoke(
        app, ["appraisal", "extra", HIRE, "--reason", "ontslag", "--date", "2027-11-01"]
    )
    assert bad.exit_code == 2
    assert "ontslag" in bad.output
    planned = runner.invoke(
        app,
        ["appraisal", "extra", HIRE, "--reason", "vast", "--date", "2027-11-01"],
    )
    assert planned.exit_code == 0, planned.output
    assert "planned on 2027-11-01" in planned.output
    refused = runner.invoke(app, ["appraisal", "decide", "1"])
    assert isinstance(refused.exception, AppraisalRequired)
    with sqlite_runtime.factory() as session:
        assert session.query(AuditEntry).filter_by(action="ges.legal.refused").count() == 1
