"""Tests of the four-eyes rule (REC-9) as pure code: two people, each in their role, no override."""

from __future__ import annotations

import pytest

from poflow._exceptions import ApprovalRefused
from poflow.kernel.foureyes import Decision, Outcome, check_decision, outcome

ROLES = ("leidinggevende", "po_adviseur")


def _check(
    recorded: list[Decision],
    person: str,
    roles: set[str],
    role: str,
    approve: bool = True,
    asked: dict[str, str] | None = None,
) -> None:
    check_decision(
        subject="hire NH-1",
        required_roles=ROLES,
        recorded=recorded,
        person_id=person,
        person_roles=roles,
        role=role,
        approve=approve,
        asked=asked,
    )


def test_rec_9_two_different_people_in_their_roles_approve():
    """A leidinggevende and a P&O adviser, two people, make the outcome approved."""
    _check([], "HB-0004", {"leidinggevende"}, "leidinggevende")
    first = [Decision("leidinggevende", "HB-0004", True)]
    _check(first, "HB-0002", {"po_adviseur"}, "po_adviseur")
    both = [*first, Decision("po_adviseur", "HB-0002", True)]
    assert outcome(ROLES, first) is Outcome.PENDING
    assert outcome(ROLES, both) is Outcome.APPROVED


def test_rec_9_one_person_holding_both_roles_cannot_fill_both():
    """Someone registered in both roles who approved once cannot approve again in the other."""
    first = [Decision("leidinggevende", "HB-0003", True)]
    with pytest.raises(ApprovalRefused, match="already decided as leidinggevende"):
        _check(first, "HB-0003", {"leidinggevende", "po_adviseur"}, "po_adviseur")


def test_rec_9_the_same_role_cannot_be_decided_twice():
    """A second leidinggevende cannot add a second leidinggevende approval."""
    first = [Decision("leidinggevende", "HB-0004", True)]
    with pytest.raises(ApprovalRefused, match="already decided by HB-0004"):
        _check(first, "HB-0006", {"leidinggevende"}, "leidinggevende")


def test_rec_9_a_person_without_the_role_is_refused():
    """A medewerker cannot approve as P&O."""
    with pytest.raises(ApprovalRefused, match="not registered as po_adviseur"):
        _check([], "HB-0005", {"medewerker"}, "po_adviseur")


def test_rec_9_someone_else_in_the_role_cannot_take_the_asked_persons_place():
    """When P&O adviser HB-0002 was asked, P&O adviser HB-0003 cannot decide instead."""
    asked = {"leidinggevende": "HB-0004", "po_adviseur": "HB-0002"}
    with pytest.raises(ApprovalRefused, match="was not asked"):
        _check([], "HB-0003", {"po_adviseur"}, "po_adviseur", asked=asked)
    _check([], "HB-0002", {"po_adviseur"}, "po_adviseur", asked=asked)


def test_rec_9_nothing_can_be_recorded_after_a_rejection():
    """After a rejection the outcome is final: a later approval is refused."""
    rejected = [Decision("leidinggevende", "HB-0004", False)]
    assert outcome(ROLES, rejected) is Outcome.REJECTED
    with pytest.raises(ApprovalRefused, match="already final"):
        _check(rejected, "HB-0002", {"po_adviseur"}, "po_adviseur")


def test_rec_9_an_unknown_role_and_a_one_role_step_are_refused():
    """A role outside the step, or a 'four-eyes' step with one role, is refused."""
    with pytest.raises(ApprovalRefused, match="roles asked are"):
        _check([], "HB-0001", {"gemeentesecretaris"}, "gemeentesecretaris")
    with pytest.raises(ApprovalRefused, match="two different roles"):
        check_decision(
            subject="x",
            required_roles=("po_adviseur", "po_adviseur"),
            recorded=[],
            person_id="HB-0002",
            person_roles={"po_adviseur"},
            role="po_adviseur",
            approve=True,
        )


def test_rec_9_there_is_no_override_parameter():
    """The rule takes no administrator or force argument at all."""
    import inspect

    params = set(inspect.signature(check_decision).parameters)
    assert not {"admin", "force", "override", "as_admin"} & params
