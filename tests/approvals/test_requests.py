"""Asking for a four-eyes decision (REC-9): each person their own link, never one person twice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import ApprovalRefused
from poflow.approvals.models import ApprovalRequest
from poflow.approvals.requests import request_approval
from poflow.kernel.calendar import today
from tests.approvals.support import (
    ASKED,
    BRAM,
    ask,
    audit_actions,
)
from tests.conftest import SmtpRecorder
from tests.web.support import (
    DIRK,
    add_person,
)


def test_rec_9_each_person_gets_their_own_link_by_mail(hardenberg: Any, smtp: SmtpRecorder):
    """The leidinggevende and P&O each receive a Dutch mail with a link bound to them and a role."""
    links = ask(hardenberg, smtp, ASKED)
    assert set(links) == {DIRK, BRAM}
    assert links[DIRK] != links[BRAM]
    subjects = sorted(str(m["Subject"]).strip() for m in smtp.messages)
    assert subjects == [
        "Je besluit gevraagd als P&O-adviseur: Arbeidsvoorwaarden kandidaat K-17",
        "Je besluit gevraagd als leidinggevende: Arbeidsvoorwaarden kandidaat K-17",
    ]
    assert "approval.requested" in audit_actions(hardenberg)


def test_rec_9_the_same_person_is_never_asked_for_both_roles(hardenberg: Any):
    """A request naming one person for both roles is refused before any mail is queued."""
    add_person(hardenberg, "HB-0090", ["leidinggevende", "po_adviseur"], "Noa", "Brink")
    with hardenberg.factory() as session, session.begin():
        ctx = hardenberg.context(session, "hardenberg", today())
        with pytest.raises(ApprovalRefused, match="different people"):
            request_approval(
                ctx,
                subject_type="offer",
                subject_id="OFFER-1",
                title="t",
                required={"leidinggevende": "HB-0090", "po_adviseur": "HB-0090"},
            )
        assert session.scalars(select(ApprovalRequest)).all() == []
