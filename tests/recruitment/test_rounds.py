"""Opening a round from a wervingsbehoefte, with the people in their roles (REC-1)."""

from __future__ import annotations

from typing import Any

import pytest

from poflow._exceptions import RecruitmentRefused
from poflow.recruitment import rounds
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.states import RoundState
from tests.recruitment.support import (
    COLLEGA,
    D0,
    MT,
    PO,
    PO_MAIL,
    TEAM,
    body,
    mail_to,
    open_round,
    run,
)


def test_rec_1_a_round_starts_from_a_need_and_asks_po_for_the_text(rt: Any, mails: Any) -> None:
    """Without a formation change the round starts at the vacancy text, asked of P&O (REC-1)."""
    rid = open_round(rt, formation_change=False)
    with rt.factory() as s:
        assert s.get(RecruitmentRound, rid).state is RoundState.DRAFTING
    assert "Beleidsadviseur wonen" in body(mail_to(mails, PO_MAIL, "Vacaturetekst opstellen"))


def test_rec_1_a_round_needs_people_in_their_roles(rt: Any) -> None:
    """A round whose MT-lid is not registered as such cannot open (REC-1)."""
    with pytest.raises(RecruitmentRefused, match="not registered as mt_lid"):
        run(
            rt,
            D0,
            rounds.open_round,
            team=TEAM,
            function="X",
            fte=1.0,
            formation_change=False,
            po_id=PO,
            mt_lid_id=COLLEGA,
            leidinggevende_id=MT,
        )
