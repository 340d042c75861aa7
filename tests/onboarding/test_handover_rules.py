"""Tests of the rules for P&O's changes to a running onboarding: who can take over as buddy or
leidinggevende, and the reason an action on someone's behalf needs (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from poflow.onboarding.handover_rules import MAX_REASON_LENGTH, handover_problem, reason_problem

FITS: dict[str, Any] = {
    "found": True,
    "current": False,
    "is_hire": False,
    "other_role": False,
    "same_team": True,
    "is_leidinggevende": False,
}


def test_bud_1_a_new_buddy_comes_from_the_hires_team_and_is_not_the_leidinggevende():
    """A colleague of the hire's team can take over as buddy; one from another team, the
    hire's leidinggevende, the current buddy, the hire or an unknown person cannot."""
    assert handover_problem("buddy", **FITS) is None
    refused = {
        "ander team": {"same_team": False},
        "leidinggevende": {"other_role": True},
        "al buddy": {"current": True},
        "de medewerker zelf": {"is_hire": True},
        "onbekend": {"found": False},
    }
    for why, change in refused.items():
        assert handover_problem("buddy", **{**FITS, **change}) is not None, why
    assert "uit het team" in (handover_problem("buddy", **{**FITS, "same_team": False}) or "")
    assert "twee mensen" in (handover_problem("buddy", **{**FITS, "other_role": True}) or "")


def test_bud_1_a_new_leidinggevende_holds_that_role_and_is_not_the_buddy():
    """A leidinggevende of the staff register can take over, from any team; someone without
    the role, or the hire's buddy, cannot."""
    leader = {**FITS, "is_leidinggevende": True, "same_team": False}
    assert handover_problem("leidinggevende", **leader) is None
    assert "rol als leidinggevende" in (
        handover_problem("leidinggevende", **{**leader, "is_leidinggevende": False}) or ""
    )
    assert "twee mensen" in (
        handover_problem("leidinggevende", **{**leader, "other_role": True}) or ""
    )


def test_only_a_buddy_or_leidinggevende_is_handed_over():
    """Another role is refused by name."""
    assert "Onbekende rol" in (handover_problem("coach", **FITS) or "")


@pytest.mark.parametrize("reason", ["", "   ", "\n", "x" * (MAX_REASON_LENGTH + 1)])
def test_x_4_an_action_on_behalf_needs_a_reason_of_reasonable_length(reason: str):
    """An empty or too long reason is refused in Dutch (the audit keeps the reason, X-4)."""
    assert reason_problem(reason) is not None


def test_x_4_a_reason_up_to_the_limit_is_accepted():
    """Any non-blank reason up to MAX_REASON_LENGTH characters explains the action."""
    assert reason_problem("Dirk is ziek") is None
    assert reason_problem("x" * MAX_REASON_LENGTH) is None
