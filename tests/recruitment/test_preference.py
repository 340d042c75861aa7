"""REC-4's voorkeursbeleid at selection and against the staff register (issue 22, item 13): a
higher tier is not passed over without a recorded reason, and tiers 1-3 are what the register
says, not what a candidate declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from poflow._exceptions import ImportRejected, PreferenceRefused, RecruitmentRefused
from poflow.cli import app
from poflow.db.models import AuditEntry
from poflow.recruitment import candidates, interviews, register
from poflow.recruitment.models import Candidate
from poflow.recruitment.rules import Standing, Tier, passed_over, tier_refusal
from poflow.recruitment.states import CandidateState
from tests.recruitment.support import (
    D0,
    MT,
    PO,
    confirm_selection_by_mail,
    published_with,
    run,
    select_confirmed,
)
from tests.support import cli_login

runner = CliRunner()
DAY = D0.replace(day=8)  # external publication: every tier may apply


class TestRules:
    """The pure rules."""

    def test_rec_4_passing_over_names_the_higher_tiers_left_out(self) -> None:
        """Choosing a tier-2 and a tier-4 candidate passes over the tier-1 and tier-3 ones left
        out, not the other tier-4 one."""
        pool = [("A1", 1), ("B2", 2), ("C3", 3), ("D4", 4), ("E4", 4)]
        assert passed_over(pool, ["B2", "D4"]) == ["A1", "C3"]
        assert passed_over(pool, ["A1"]) == []
        assert passed_over(pool, ["A1", "B2", "C3", "D4"]) == []

    def test_rec_4_an_internal_tier_must_be_the_registers(self) -> None:
        """Tiers 1-3 need a register person of that standing; tier 4 needs nothing."""
        assert tier_refusal(Tier.EXTERN, None, None) is None
        assert tier_refusal(Tier.EIGEN_MEDEWERKER, "HB-1", Standing.IN_DIENST) is None
        assert tier_refusal(Tier.BOVENFORMATIEF, "HB-1", Standing.UWO) is None
        assert tier_refusal(Tier.DETACHERING_INLEEN, "HB-1", Standing.DETACHERING) is None
        assert tier_refusal(Tier.BOVENFORMATIEF, "HB-1", Standing.IN_DIENST) == (
            "tier 1 is not what the staff register says: HB-1 is in_dienst (tier 2)"
        )
        assert tier_refusal(Tier.EIGEN_MEDEWERKER, "X-9", None) == (
            "tier 2: X-9 is not on the staff register"
        )
        assert "give the employee_id" in (tier_refusal(Tier.DETACHERING_INLEEN, None, None) or "")


def _states(rt: Any, ids: list[str]) -> list[CandidateState]:
    with rt.factory() as s:
        return [s.get_one(Candidate, c).state for c in ids]


def test_rec_4_a_higher_tier_is_not_passed_over_without_a_recorded_reason(
    rt: Any, mails: Any
) -> None:
    """Selecting the tier-2 candidate over the tier-1 one is refused naming them and changes
    nothing; with a reason the selection goes through, the reason is kept and audited."""
    rid, (first, second) = published_with(rt, mails, [("Een", 1), ("Twee", 2)])
    with pytest.raises(PreferenceRefused, match=f"{first} of a higher voorkeursbeleid tier"):
        run(rt, DAY, interviews.select_for_round, rid, 1, [second], by=MT, with_po=PO)
    assert _states(rt, [first, second]) == [CandidateState.APPLIED, CandidateState.APPLIED]
    reason = "Voldoet niet (nagenoeg) aan de functie-eisen: geen ervaring met de Omgevingswet."
    select_confirmed(
        rt,
        DAY,
        rid,
        1,
        [second],
        by=MT,
        with_po=PO,
        passed_over_reasons={first: reason},
    )
    assert _states(rt, [first, second]) == [CandidateState.REJECTED, CandidateState.ROUND_ONE]
    with rt.factory() as s:
        assert s.get_one(Candidate, first).passed_over_reason == reason
        audit = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "candidate.passed_over", AuditEntry.entity_id == first
            )
        ).one()
    assert (audit.actor, audit.detail["tier"], audit.detail["by"]) == ("cli", 1, MT)


def test_rec_4_the_command_line_refusal_is_audited_and_a_reason_lets_it_pass(
    rt: Any, mails: Any
) -> None:
    """`poflow recruitment select` without --passed-over exits with the refusal, which is
    audited; with CANDIDATE=REASON it selects."""
    rid, (first, second) = published_with(rt, mails, [("Eerste", 1), ("Tweede", 2)])
    cli_login(rt, MT)  # the round's MT-lid selects, logged in on the command line
    args = ["recruitment", "select", rid, second, "--with-po", PO]
    refused = runner.invoke(app, args)
    assert isinstance(refused.exception, PreferenceRefused)
    with rt.factory() as s:
        audit = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "round.selection_refused", AuditEntry.entity_id == rid
            )
        ).one()
    assert audit.detail["passed_over"] == first
    assert _states(rt, [first, second]) == [CandidateState.APPLIED, CandidateState.APPLIED]
    ok = runner.invoke(app, [*args, "--passed-over", f"{first}=Geen rijbewijs B, wel vereist."])
    assert ok.exit_code == 0, ok.output
    assert f"P&O adviser {PO} is asked to confirm" in ok.output  # REC-5: proposed only
    assert _states(rt, [first, second]) == [CandidateState.APPLIED, CandidateState.APPLIED]
    confirm_selection_by_mail(rt, mails)
    assert _states(rt, [first, second]) == [CandidateState.REJECTED, CandidateState.ROUND_ONE]


def test_rec_4_a_declared_tier_the_staff_register_does_not_support_is_refused(
    rt: Any, mails: Any, tmp_path: Path
) -> None:
    """An own employee declaring tier 1, an unknown id as tier 2 and a tier 3 without an id
    are refused naming the field or the file's row; a seconded person as tier 3 applies."""
    rid, _ = published_with(rt, mails, [])

    def add(name: str, tier: int, employee_id: str | None) -> Candidate:
        return run(
            rt,
            DAY,
            candidates.add_candidate,
            rid,
            given_name=name,
            family_name="Testpersoon",
            email=f"{name.lower()}@example.org",
            tier=tier,
            employee_id=employee_id,
        )

    with pytest.raises(RecruitmentRefused, match=r"^tier: tier 1 is not what the staff register"):
        add("Bas", 1, "HB-0007")  # in dienst: tier 2
    with pytest.raises(RecruitmentRefused, match="HB-9999 is not on the staff register"):
        add("Bas", 2, "HB-9999")
    with pytest.raises(RecruitmentRefused, match="give the employee_id"):
        add("Bas", 3, None)
    run(rt, DAY, register.set_standing, "HB-0005", Standing.DETACHERING, by=PO)
    assert add("Dewi", 3, "HB-0005").tier == 3
    rows = tmp_path / "kandidaten.csv"
    rows.write_text(
        "given_name,family_name,email,tier,consent_partners,consent_retention,referred_by,"
        "employee_id\nFleur,Testpersoon,fleur@example.org,2,nee,nee,,HB-0007\n"
        "Gijs,Testpersoon,gijs@example.org,1,nee,nee,,HB-0007\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["recruitment", "candidates", rid, "--file", str(rows)])
    assert isinstance(result.exception, ImportRejected)
    assert str(result.exception).endswith(
        "row 3: tier: tier 1 is not what the staff register says: HB-0007 is in_dienst (tier 2)"
    )
    with rt.factory() as s:
        names = s.scalars(select(Candidate.given_name).where(Candidate.round_id == rid)).all()
    assert names == ["Dewi"]  # the file's rows: all or none
