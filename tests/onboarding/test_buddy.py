"""Tests of the buddy chosen by hand (BUD-1)."""

from __future__ import annotations

from datetime import date

import pytest

from poflow._exceptions import BuddyRefused
from poflow.db.models import Hire, Person
from poflow.states import StepState
from tests.onboarding.support import KB, add_kb_hire, add_kb_staff, ctx_for, digest_items, run


def test_bud_1_without_team_colleagues_the_manager_is_asked_and_a_later_buddy_is_informed(
    sqlite_runtime, smtp
):
    """No colleague to pick: the "buddy toewijzen" item goes to the manager; set_buddy informs."""
    from poflow.onboarding.buddy import set_buddy

    add_kb_staff(sqlite_runtime, team_colleagues=False)
    add_kb_hire(sqlite_runtime)
    mails = run(sqlite_runtime, smtp, date(2027, 2, 1), date(2027, 2, 8), municipality=KB)
    digest = [m for d, t, to, m in mails if t == "onboarding/digest" and to.startswith("sanne.vos")]
    assert any(item == "buddy-toewijzen" for m in digest for _, _, item in digest_items(m))
    with sqlite_runtime.factory() as session, session.begin():
        session.add(
            Person(
                id="KB-0007",
                municipality=KB,
                given_name="Joris",
                family_name="Mol",
                email="joris.mol@kaag.example.nl",
                team="Bedrijfsvoering",
            )
        )
        ctx = ctx_for(sqlite_runtime, session, KB, date(2027, 2, 9), actor="KB-0001")
        with pytest.raises(BuddyRefused, match="own team"):
            set_buddy(ctx, session.get(Hire, "KB-NH-01"), "KB-0004", by="KB-0001")
        set_buddy(ctx, session.get(Hire, "KB-NH-01"), "KB-0007", by="KB-0001")
        step = ctx.step(case_type="hire", case_id="KB-NH-01", key="onb:buddy-toewijzen")
        assert step.state == StepState.DONE
    later = run(sqlite_runtime, smtp, date(2027, 2, 9), date(2027, 2, 26), municipality=KB)
    assert [(d, to) for d, t, to, _ in later if t == "onboarding/buddy_toegewezen"] == [
        (date(2027, 2, 15), "joris.mol@kaag.example.nl")
    ]  # ten working days before day one
