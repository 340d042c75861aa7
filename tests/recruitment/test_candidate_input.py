"""Candidates and the terms talk take only addresses and names a mail can carry (X-2): the
file, the single-candidate and koffiemoment options, the services and --work-email are checked
as the staff import is, each refusal naming the row and column or the option."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from poflow._exceptions import ImportRejected, InputRefused
from poflow.cli import app
from poflow.engine import TZ
from poflow.recruitment import candidates
from poflow.recruitment.models import Candidate, RecruitmentRound
from tests.recruitment.support import D0, PO2, open_round, publish, round_at_terms, run

runner = CliRunner()
HEADER = "given_name,family_name,email,tier,consent_partners,consent_retention,referred_by\n"


def _candidates(rt: Any) -> int:
    with rt.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Candidate)) or 0)


def test_x_2_a_candidates_file_with_hostile_rows_is_refused_by_row_and_column(
    rt: Any, mails: Any, tmp_path: Path
) -> None:
    """CR/LF in a name, '<script>', 5,000 characters, 'not-an-email', two addresses, a
    bidi override, tier '²' and a bad referrer id: every row named, nothing added."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    rows = tmp_path / "kandidaten.csv"
    rows.write_text(
        HEADER
        + '"Omar\r\nBcc: x@evil.example",Testpersoon,omar@example.org,2,ja,nee,\n'
        + "Pien,Testpersoon,<script>@example.org,2,nee,ja,\n"
        + f"Sam,Testpersoon,{'s' * 5000}@example.org,2,nee,nee,\n"
        + "Kim,Testpersoon,not-an-email,2,nee,nee,\n"
        + '"Lex","Testpersoon","lex@example.org, evil@evil.example",2,nee,nee,\n'
        + "Rob\u202egnp.exe,Testpersoon,rob@example.org,2,nee,nee,\n"
        + "Ida,Testpersoon,ida@example.org,²,nee,nee,\n"
        + "Tom,Testpersoon,tom@example.org,2,nee,nee,HB 0007; DROP\n",
        encoding="utf-8",
    )
    before = _candidates(rt)
    with pytest.raises(ImportRejected) as refused:
        candidates.read_candidates(rows)
    problems = refused.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 2, column 'given_name'",
        "row 3, column 'email'",
        "row 4, column 'email'",
        "row 5, column 'email'",
        "row 6, column 'email'",
        "row 7, column 'given_name'",
        "row 8, column 'tier'",
        "row 9, column 'referred_by'",
    ]
    assert "control character (U+000A)" in problems[0]
    assert "too long" in problems[2]
    assert "bidi override" in problems[5]
    added = runner.invoke(app, ["recruitment", "candidates", rid, "--file", str(rows)])
    assert isinstance(added.exception, ImportRejected)
    assert _candidates(rt) == before


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--email", "not-an-email", "--email: 'not-an-email' is not a valid email address"),
        ("--email", "éva@example.org", "--email: 'éva@example.org' has a non-ASCII character"),
        ("--given-name", "Anne\u202e", "--given-name: contains a bidi override"),
        ("--family-name", "x" * 101, "--family-name: is 101 characters long"),
    ],
)
def test_x_2_a_single_candidate_and_a_koffiemoment_check_their_options(
    rt: Any, mails: Any, option: str, value: str, says: str
) -> None:
    """A bad address or name given as an option is refused naming the option; none added."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    given = {"--given-name": "Anne", "--family-name": "Testpersoon", "--email": "a@example.org"}
    given[option] = value
    person = [part for pair in given.items() for part in pair]
    before = _candidates(rt)
    for command in (
        ["candidates", rid, *person, "--tier", "2"],
        ["koffiemoment", rid, *person, "--host", PO2, "--at", "2027-03-04T14:00"],
    ):
        result = runner.invoke(app, ["recruitment", *command])
        assert isinstance(result.exception, InputRefused), result.output
        assert str(result.exception).startswith(says)
    assert _candidates(rt) == before


def test_x_2_the_services_check_a_candidate_whoever_calls_them(rt: Any, mails: Any) -> None:
    """add_candidate and plan_koffiemoment refuse a name with CR/LF and a second address."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    with pytest.raises(InputRefused, match="given_name: contains a control character"):
        run(
            rt,
            D0,
            candidates.add_candidate,
            rid,
            given_name="Anne\nBcc: evil@evil.example",
            family_name="Testpersoon",
            email="anne@example.org",
            tier=2,
        )
    with pytest.raises(InputRefused, match=r"^email: "):
        run(
            rt,
            D0,
            candidates.plan_koffiemoment,
            rid,
            given_name="Anne",
            family_name="Testpersoon",
            email="anne@example.org, evil@evil.example",
            host_id=PO2,
            starts_at=datetime(2027, 3, 4, 14, 0, tzinfo=TZ),
        )


def test_x_2_the_terms_talk_refuses_a_work_email_with_a_second_address(rt: Any, mails: Any) -> None:
    """`recruitment terms --work-email 'a@x.nl, evil@evil.example'` is refused naming the
    option, and the recorded terms stay as they were."""
    rid, _cand = round_at_terms(rt, mails)
    result = runner.invoke(
        app,
        [
            "recruitment",
            "terms",
            rid,
            "--start-date",
            "2027-05-03",
            "--contract",
            "tijdelijk",
            "--months",
            "12",
            "--work-email",
            "a@x.nl, evil@evil.example",
        ],
    )
    assert isinstance(result.exception, InputRefused)
    assert str(result.exception).startswith(
        "--work-email: 'a@x.nl, evil@evil.example' is not a valid email address"
    )
    with rt.factory() as session:
        rnd = session.get(RecruitmentRound, rid)
        assert rnd is not None
        assert (rnd.terms_version, rnd.terms["work_email"]) == (1, "lisa@hardenberg.example.nl")
