"""Candidates before applying: the koffiemoment with its invitation (REC-13)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from poflow._exceptions import RecruitmentRefused
from poflow.engine import TZ
from poflow.recruitment import candidates
from poflow.recruitment.models import Candidate
from poflow.recruitment.states import CandidateState
from tests.recruitment.support import (
    D0,
    PO2,
    apply,
    mail_to,
    open_round,
    publish,
    run,
    send,
    starts,
)


def test_rec_13_koffiemoment_invites_prospect_and_recruiter(rt: Any, mails: Any) -> None:
    """A prospect and the recruiter get an invitation; the prospect can apply later (REC-13)."""
    rid = open_round(rt, formation_change=False)
    publish(rt, mails, rid)
    prospect = run(
        rt,
        D0,
        candidates.plan_koffiemoment,
        rid,
        given_name="Jasmijn",
        family_name="Testpersoon",
        email="jasmijn@example.org",
        host_id=PO2,
        starts_at=datetime(2027, 3, 4, 14, 0, tzinfo=TZ),
    ).id
    send(rt)
    for who in ("jasmijn@", "carla.jansen@"):
        msg = mail_to(mails, who, "koffiemoment")
        assert starts(msg) == datetime(2027, 3, 4, 14, 0, tzinfo=TZ)
    with pytest.raises(RecruitmentRefused, match="recruiter or a colleague"):
        run(
            rt,
            D0,
            candidates.plan_koffiemoment,
            rid,
            given_name="X",
            family_name="Y",
            email="x@example.org",
            host_id="HB-0009",
            starts_at=datetime(2027, 3, 4, 15, 0, tzinfo=TZ),
        )
    apply(rt, rid, "Jasmijn", 2, D0, prospect_id=prospect)
    with rt.factory() as s:
        assert s.get(Candidate, prospect).state is CandidateState.APPLIED
