"""The approval tables (REC-9): below the domain rule, the database refuses a second decision."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from poflow.approvals.models import Approval


def test_rec_9_the_database_refuses_a_second_decision_by_the_same_person(example_data: Any):
    """Below the domain rule, a unique constraint stops one person deciding twice on a subject."""
    rows = [
        Approval(
            municipality="example_data",
            subject_type="offer",
            subject_id="OFFER-1",
            role=role,
            person_id="HB-0004",
            approve=True,
        )
        for role in ("leidinggevende", "po_adviseur")
    ]
    with pytest.raises(IntegrityError), example_data.factory() as session, session.begin():
        session.add_all(rows)
