"""The waiting four-eyes flow (REC-9): only the two link approvals complete it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.approvals.models import ApprovalRequest
from tests.approvals.support import (
    ASKED,
    BRAM,
    decide,
)
from tests.conftest import SmtpRecorder, wait_for
from tests.web.support import (
    DIRK,
    flow_state,
    heading,
    link_in_mail,
    path_of,
    run_in_thread,
)


def test_rec_9_two_proper_approvals_complete_a_waiting_flow(
    prefect_harness: None, hardenberg: Any, smtp: SmtpRecorder, client: TestClient
):
    """The flow pauses; a UI resume alone does not end it; the two link approvals complete it."""
    from prefect.flow_runs import resume_flow_run

    from poflow.flows.approval import await_four_eyes

    thread, out = run_in_thread(
        await_four_eyes,
        subject_type="offer",
        subject_id="OFFER-9",
        municipality="hardenberg",
        required=ASKED,
        poll_seconds=1,
    )
    assert wait_for(lambda: len(smtp.messages) == 2, 60)
    links = {
        str(m["To"]).split("<")[-1].rstrip(">"): path_of(link_in_mail(m)) for m in smtp.messages
    }
    with hardenberg.factory() as session:
        run_id = session.scalars(select(ApprovalRequest.flow_run_id)).one()
    assert run_id
    assert wait_for(lambda: flow_state(run_id).is_paused(), 30)

    resume_flow_run(run_id, run_input={"outcome": "approved"})  # as if from the Prefect UI
    assert wait_for(lambda: flow_state(run_id).is_paused(), 30), "a UI resume must not approve"
    assert thread.is_alive()

    assert heading(decide(client, links[DIRK]).text) == "Vastgelegd"
    assert heading(decide(client, links[BRAM]).text) == "Vastgelegd"
    thread.join(60)
    assert not thread.is_alive()
    assert out["result"] == "approved"
    assert flow_state(run_id).is_completed()
