"""Bypass attempts on P&O's confirmation of the MT-lid's selection (REC-5, X-4): none makes the
selection take effect.

1. the MT-lid, logged in, opening the P&O adviser's link;
2. another P&O adviser, logged in, opening that link;
3. the MT-lid calling the confirmation directly as themself;
4. another P&O adviser calling it directly;
5. an operator (cli:<os user>) calling it directly.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import RecruitmentRefused
from poflow.db.models import AuditEntry
from poflow.recruitment import interviews, selection
from poflow.recruitment.models import RecruitmentRound
from poflow.recruitment.states import RoundState
from poflow.web.service import LinkPages
from tests.recruitment.conftest import mails, rt, shared  # noqa: F401  (the module's fixtures)
from tests.recruitment.support import (
    D0,
    MT,
    PO,
    PO2,
    PO_MAIL,
    mail_to,
    published_with,
    run,
    send,
    tokens,
)
from tests.recruitment.test_selection import _viewer
from tests.reliability.support import record

DAY = D0.replace(day=8)


def _proposed(rt: Any, mails: Any, tag: str) -> tuple[str, int, str]:  # noqa: F811
    rid, ids = published_with(rt, mails, [(f"Iris{tag}", 2), (f"Joep{tag}", 4)])
    sel = run(rt, DAY, interviews.select_for_round, rid, 1, ids[:1], by=MT, with_po=PO)
    send(rt)
    return rid, sel.id, tokens(mail_to(mails, PO_MAIL, "Selectie ter bevestiging"))[0]


def _state(rt: Any, rid: str) -> RoundState:  # noqa: F811
    with rt.factory() as s:
        return s.get_one(RecruitmentRound, rid).state


@pytest.mark.parametrize(("n", "who"), [(1, MT), (2, PO2)])
def test_rec_5_nobody_but_the_asked_adviser_opens_the_confirmation_page(
    rt: Any,  # noqa: F811
    mails: Any,  # noqa: F811
    n: int,
    who: str,
) -> None:
    """Attacks 1-2: the link page refuses anyone but the asked adviser and audits it."""
    rid, _, token = _proposed(rt, mails, f"p{n}")
    page = LinkPages(rt).show(token, None, None, _viewer(rt, who))
    refused = page.template != "confirm.html" and _state(rt, rid) is RoundState.EXTERNAL
    with rt.factory() as s:
        audited = any(
            e.detail.get("reason") == "other_person"
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "link.refused"))
        )
    record(
        "bypass",
        variant=f"{n} {who} opens P&O's selection link",
        refused=refused,
        audited=audited,
        error=page.template,
    )
    assert refused
    assert audited


@pytest.mark.parametrize(("n", "who"), [(3, MT), (4, PO2), (5, "cli:beheer")])
def test_rec_5_nobody_but_the_asked_adviser_confirms_directly(
    rt: Any,  # noqa: F811
    mails: Any,  # noqa: F811
    n: int,
    who: str,
) -> None:
    """Attacks 3-5: the domain function refuses the MT-lid, another adviser, an operator."""
    rid, sel_id, _ = _proposed(rt, mails, f"d{n}")
    with pytest.raises(RecruitmentRefused) as caught:
        run(rt, DAY, selection.decide_selection, sel_id, confirm=True, actor=who)
    refused = _state(rt, rid) is RoundState.EXTERNAL
    record(
        "bypass",
        variant=f"{n} {who} confirms the selection directly",
        refused=refused,
        audited=False,  # refused before anything is written: nothing to audit
        error=type(caught.value).__name__,
    )
    assert refused
