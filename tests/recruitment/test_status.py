"""The round's progress as P&O and Prefect see it: stage, counts and waiting roles, ids only."""

from __future__ import annotations

from typing import Any

from poflow.recruitment import status, vacancy
from poflow.recruitment.status import progress_lines, progress_rows
from tests.recruitment.support import D0, PO, PO_MAIL, approve_by_mail, open_round, run, send


def test_rec_progress_shows_stage_tiers_and_waiting_roles_without_names(
    rt: Any, mails: Any
) -> None:
    """Progress holds the stage, counts per tier and who still has to decide (ids only)."""
    rid = open_round(rt, formation_change=False)
    run(rt, D0, vacancy.draft_vacancy, rid, "Een vacaturetekst met genoeg woorden erin.", by=PO)
    send(rt)
    approve_by_mail(rt, mails, PO_MAIL, "Vacaturetekst")
    with rt.factory() as s:
        progress = status.round_progress(s, rid)
    assert progress["stage"] == "text_review"
    assert progress["waiting_approvals"] == [
        {"subject": f"rec_vacancy:{rid}:v1", "waiting_for": ["mt_lid"]}
    ]
    assert progress["per_tier"] == {"1": 0, "2": 0, "3": 0, "4": 0}
    assert "Bram" not in str(progress)
    assert "@" not in str(progress)


PROGRESS = {
    "round_id": "WR-2027-0001",
    "municipality": "hardenberg",
    "stage": "internal",
    "internal_from": "2027-03-01",
    "external_from": "2027-03-08",
    "per_tier": {"1": 1, "2": 0, "3": 0, "4": 2},
    "per_state": {"applied": 3},
    "purged": 0,
    "waiting_approvals": [{"subject": "rec_offer:WR-2027-0001-K001:d1", "waiting_for": ["mt_lid"]}],
    "hire_id": None,
}


def test_x_3_the_artifact_rows_and_status_lines_show_the_progress_in_ids_and_counts() -> None:
    """The Prefect table and `poflow recruitment status` show stage, counts and waiting roles."""
    rows = progress_rows(PROGRESS)
    assert rows[0] == {"wat": "fase", "waarde": "internal"}
    assert {"wat": "kandidaten categorie 4", "waarde": 2} in rows
    assert {"wat": "status applied", "waarde": 3} in rows
    assert rows[-1] == {
        "wat": "wacht op besluit rec_offer:WR-2027-0001-K001:d1",
        "waarde": "mt_lid",
    }
    assert progress_lines(PROGRESS) == [
        "WR-2027-0001 (hardenberg): internal",
        "  intern vanaf 2027-03-01, extern vanaf 2027-03-08",
        "  per categorie: 1: 1, 2: 0, 3: 0, 4: 2",
        "  per status: applied: 3",
        "  wacht op mt_lid (rec_offer:WR-2027-0001-K001:d1)",
    ]
