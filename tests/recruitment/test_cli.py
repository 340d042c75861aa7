"""`poflow recruitment open|candidates|status` and the steps P&O takes from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from poflow.cli import app
from tests.recruitment.support import (
    COLLEGA,
    MT,
    PO,
    PO_MAIL,
    TEAM,
    approve_by_mail,
    publish,
    send,
)
from tests.support import cli_login

runner = CliRunner()


def poflow(*args: str) -> Any:
    """Run the poflow command line and return its result."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_rec_1_open_from_a_yaml_file_then_candidates_and_status(
    rt: Any, shared: tuple[Any, Any], tmp_path: Path
) -> None:
    """P&O opens a round from a small YAML file, imports candidates and reads the status."""
    smtp = shared[1]
    need = tmp_path / "need.yaml"
    need.write_text(
        f"municipality: hardenberg\nteam: {TEAM}\nfunction: Toezichthouder bouw\n"
        f"fte: 1.0\nformation_change: false\npo_id: {PO}\nmt_lid_id: {MT}\n"
        f"leidinggevende_id: {MT}\ncolleague_id: {COLLEGA}\n",
        encoding="utf-8",
    )
    opened = poflow("recruitment", "open", "--file", str(need))
    assert opened.exit_code == 0, opened.output
    rid = opened.output.split()[1]
    text = tmp_path / "tekst.txt"
    text.write_text("Wij zoeken een toezichthouder bouw die graag buiten is.", encoding="utf-8")
    cli_login(rt, PO)
    assert poflow("recruitment", "vacancy", rid, "--file", str(text)).exit_code == 0
    send(rt)
    approve_by_mail(rt, smtp, PO_MAIL, "Toezichthouder")
    approve_by_mail(rt, smtp, "dirk.mulder@", "Toezichthouder")
    assert "internal" in poflow("recruitment", "advance", rid).output
    rows = tmp_path / "kandidaten.csv"
    rows.write_text(
        "given_name,family_name,email,tier,consent_partners,consent_retention,"
        "referred_by,employee_id\nOmar,Testpersoon,omar@example.org,2,ja,nee,,HB-0009\n"
        "Pien,Testpersoon,pien@example.org,1,nee,ja,HB-0007,HB-0010\n",
        encoding="utf-8",
    )
    standing = ("recruitment", "standing", "HB-0010", "bovenformatief")
    assert poflow(*standing, "--municipality", "hardenberg").exit_code == 0  # REC-4
    added = poflow("recruitment", "candidates", rid, "--file", str(rows))
    assert "2 candidate(s) added" in added.output
    assert f"{rid}-K002  categorie 1" in added.output
    status = poflow("recruitment", "status", rid).output
    assert "internal" in status
    assert "1: 1, 2: 1, 3: 0, 4: 0" in status


def test_rec_4_an_external_row_during_the_internal_window_rejects_the_whole_file(
    rt: Any, shared: tuple[Any, Any], tmp_path: Path
) -> None:
    """One external candidate in the internal week: nothing is imported, the reason is named."""
    from poflow._exceptions import ImportRejected

    opened = poflow(
        "recruitment",
        "open",
        "--municipality",
        "hardenberg",
        "--team",
        TEAM,
        "--function",
        "Medewerker vergunningen",
        "--fte",
        "0.8",
        "--po",
        PO,
        "--mt-lid",
        MT,
        "--leidinggevende",
        MT,
    )
    rid = opened.output.split()[1]
    publish(rt, shared[1], rid)
    rows = tmp_path / "kandidaten.csv"
    rows.write_text(
        "given_name,family_name,email,tier,consent_partners,consent_retention,"
        "referred_by,employee_id\nRosa,Testpersoon,rosa@example.org,2,nee,nee,,HB-0009\n"
        "Sem,Testpersoon,sem@example.org,4,nee,nee,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected, match=r"row 3: .*external.*'internal'"):
        poflow("recruitment", "candidates", rid, "--file", str(rows))
    assert "categorie" not in poflow("recruitment", "candidates", rid).output


def test_rec_9_there_is_no_command_to_approve(rt: Any) -> None:
    """Approvals are only given through each person's own link: the CLI has no approve command."""
    result = runner.invoke(app, ["recruitment", "approve", "WR-2027-0001"])
    assert result.exit_code != 0
    names = {
        c.name
        for c in __import__(
            "poflow.recruitment.cli", fromlist=["x"]
        ).recruitment_app.registered_commands
    }
    assert not names & {"approve", "decide", "override"}
