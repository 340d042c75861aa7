"""`poflow coach ...` (LBC-1..3): register, update, import and the yearly report in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from poflow._exceptions import CoachingRefused, ImportRejected
from poflow.cli import app
from poflow.link_tokens import verify_token
from tests.coaching.support import SEED, seed_tables, write_seed_csv

HB = ["--municipality", "hardenberg", "--coach", "HB-0008"]


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the database is not the subject here."""
    return sqlite_url


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.mark.skipif(not SEED.is_file(), reason="seed 004 is not next to the project")
def test_lbc_2_report_in_the_terminal_shows_the_seed_tables(
    example_data: Any, tmp_path: Path
) -> None:
    """After `coach import`, `coach report --year 2020 --tsv` prints seed 004's two tables."""
    imported = _run("coach", "import", str(write_seed_csv(tmp_path / "lbc.csv")))
    assert imported.exit_code == 0, imported.output
    assert "63 new, 0 updated, 0 unchanged" in imported.output
    tsv = _run("coach", "report", "--year", "2020", "--municipality", "hardenberg", "--tsv")
    assert [line.rstrip() for line in tsv.output.splitlines()] == seed_tables()
    text = _run(
        "coach", "report", "--year", "2020", "--municipality", "hardenberg", "--as-of", "2021-01-15"
    ).output
    assert "jaarverslag 2020" in text
    assert "Streefcijfer 2021: 60 aanmeldingen" in text
    assert "Voorbeeldsma" not in text  # LBC-3: counts only
    progress = _run(
        "coach", "report", "--year", "2021", "--municipality", "hardenberg", "--as-of", "2021-07-01"
    ).output
    assert "Voortgang 2021: 0 van 60 aanmeldingen (0 %), per 1 juli 2021" in progress


def test_lbc_1_register_goal_end_and_consent_from_the_command_line(example_data: Any) -> None:
    """A coach records a registration, its goals and an early end; the report counts it."""
    done = _run(
        "coach",
        "register",
        *HB,
        "--name",
        "Fictief Persoon",
        "--domain",
        "2",
        "--reason",
        "andere baan",
        "--source",
        "leidinggevende",
        "--date",
        "2026-11-02",
        "--goal",
        "Een baan buiten de gemeente",
    )
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Registration 1 (2026-001) recorded.")
    for args in (
        ("goal", "1", "1", "behaald"),
        ("goal", "1", "2", "lopend"),
        ("end", "1", "--early", "ziekte", "--date", "2026-11-10"),
        ("consent", "1", "--no"),
    ):
        step = _run("coach", *args, *HB)
        assert step.exit_code == 0, step.output
    report = _run("coach", "report", "--year", "2026", "--municipality", "hardenberg").output
    assert (
        "3 – Intern of extern andere baan       1               1       1               0" in report
    )
    assert "Ziekte                        1" in report


def test_lbc_3_a_record_of_another_coach_is_refused(example_data: Any) -> None:
    """Changing a registration as someone who is not its coach fails with a clear message."""
    _run(
        "coach",
        "register",
        *HB,
        "--name",
        "Fictief Persoon",
        "--domain",
        "1",
        "--reason",
        "1",
        "--source",
        "1",
        "--date",
        "2026-11-02",
    )
    refused = _run(
        "coach", "goal", "1", "1", "behaald", "--municipality", "hardenberg", "--coach", "HB-0002"
    )
    assert isinstance(refused.exception, CoachingRefused)
    assert "andere loopbaancoach" in str(refused.exception)


def test_lbc_1_import_of_a_bad_file_names_row_and_column(example_data: Any, tmp_path: Path) -> None:
    """`coach import` of a file with a bad row writes nothing and names the row and column."""
    file = write_seed_csv(tmp_path / "lbc.csv")
    lines = file.read_text(encoding="utf-8").splitlines()
    lines[5] = (
        lines[5].replace(",hardenberg,", ",nergenshuizen,", 1)
        if ",hardenberg," in lines[5]
        else "nergenshuizen" + lines[5][len("hardenberg") :]
    )
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run("coach", "import", str(file))
    assert isinstance(result.exception, ImportRejected)
    assert result.exception.problems[0].startswith("row 6, column 'municipality': unknown")
    report = _run("coach", "report", "--year", "2020", "--municipality", "hardenberg").output
    assert "Totaal                           0" in report


def test_lbc_1_coach_link_prints_a_form_bound_to_the_coach(example_data: Any) -> None:
    """`coach link` gives the coach a registration form link bound to their person id."""
    printed = _run("coach", "link", *HB)
    assert printed.exit_code == 0, printed.output
    rt = example_data
    with rt.factory() as session:
        link = verify_token(
            session,
            secret=rt.settings.signing_keys(),
            token=printed.output.strip().rsplit("/", 1)[-1],
        )
    assert (link.action, link.subject_id, link.case_type) == (
        "coaching.register",
        "HB-0008",
        "coaching",
    )
    refused = _run("coach", "link", "--municipality", "hardenberg", "--coach", "HB-0004")
    assert refused.exit_code == 2
    assert "does not have the role loopbaancoach" in refused.output
