"""Tests of signed single-use action links (poflow/links.py) and the check-in link they carry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from poflow._exceptions import ActionRefused, LinkRefused
from poflow.checkins.links import HELD_LINK
from poflow.db.base import utcnow
from poflow.db.models import Step
from poflow.hires.services import cancel_hire
from poflow.link_tokens import claim_link, verify_token
from poflow.links import ActionLink, mint_link, mint_links
from poflow.runtime import run_day
from poflow.states import StepState
from tests.conftest import SmtpRecorder
from tests.support import cli_login
from tests.web.support import (
    DIRK,
    RECORD_DAY,
    SECRET,
    checkin_record_link,
    link_in_mail,
)


def token_of(url: str) -> str:
    return url.rsplit("/a/", 1)[1]


def held(rt: Any, token: str, note: str = "") -> str:
    """Verify, claim and perform a check-in link in one transaction, as the web app does."""
    with rt.factory() as session, session.begin():
        row = verify_token(session, secret=SECRET, token=token)
        claim_link(session, row)
        ctx = rt.context(session, row.municipality, RECORD_DAY, actor=row.subject_id)
        return ctx.registry.link_actions[row.action].perform(ctx, row, {"notitie": note})


def first_talk(rt: Any) -> Step:
    with rt.factory() as session:
        return session.scalars(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()


def refusal_reason(rt: Any, token: str) -> str:
    with rt.factory() as session, pytest.raises(LinkRefused) as caught:
        verify_token(session, secret=SECRET, token=token)
    return caught.value.reason


def test_chk_2_the_record_mail_carries_a_held_link_bound_to_the_manager(
    hardenberg: Any, smtp: SmtpRecorder
):
    """Dirk's "vastleggen" mail links to his own check-in.held link, valid 30 days (links.yaml)."""
    run_day(hardenberg, RECORD_DAY, municipality="hardenberg")
    mail = next(m for m in smtp.to(DIRK) if "plaatsgevonden?" in str(m["Subject"]))
    url = link_in_mail(mail)
    assert url.startswith(hardenberg.settings.resolved_base_url() + "/a/")
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="{url}"' in html
    assert "Gesprek heeft plaatsgevonden" in html
    with hardenberg.factory() as session:
        row = verify_token(session, secret=SECRET, token=token_of(url))
    assert (row.action, row.subject_id, row.case_id) == (HELD_LINK, "HB-0004", "NH-2027-001")
    assert row.step_id == first_talk(hardenberg).id
    assert row.expires_at - row.created_at == timedelta(days=30)


def test_chk_2_the_held_link_records_the_talk_and_its_note(hardenberg: Any):
    """Performing the link closes the talk as done by the manager, with the note stored."""
    message = held(hardenberg, token_of(checkin_record_link(hardenberg)), "Loopt goed.")
    assert message == "Dank je wel. Het gesprek is vastgelegd als gehouden."
    talk = first_talk(hardenberg)
    assert (talk.state, talk.done_by, talk.note) == (StepState.DONE, "HB-0004", "Loopt goed.")


def test_chk_2_cli_checkin_held_stays_the_fallback(hardenberg: Any):
    """`poflow checkin held`, by the leidinggevende logged in, still records the talk; the link
    then says it is already recorded."""
    from poflow.cli import app

    token = token_of(checkin_record_link(hardenberg))
    cli_login(hardenberg, "HB-0004")
    result = CliRunner().invoke(app, ["checkin", "held", "NH-2027-001", "1"])
    assert result.exit_code == 0, result.output
    assert first_talk(hardenberg).state == StepState.DONE
    with pytest.raises(ActionRefused, match="al vastgelegd"):
        held(hardenberg, token)


def test_links_a_token_from_another_key_or_made_up_is_forged(hardenberg: Any):
    """Tokens not signed with POFLOW_SECRET_KEY, or naming no link, are refused as forged."""
    with hardenberg.factory() as session, session.begin():
        other = mint_link(
            session,
            secret="another-installation",
            action=HELD_LINK,
            municipality="hardenberg",
            case_type="hire",
            case_id="NH-2027-001",
            subject_id="HB-0004",
        )
    assert refusal_reason(hardenberg, other) == "forged"
    assert refusal_reason(hardenberg, "not-a-token") == "forged"


def test_links_minted_in_bulk_are_the_same_signed_single_use_links(hardenberg: Any):
    """mint_links issues rows like mint_link's whose tokens verify, each once, in its order."""
    specs = [
        {
            "action": HELD_LINK,
            "municipality": "hardenberg",
            "case_type": "hire",
            "case_id": "NH-2027-001",
            "subject_id": f"HB-000{n}",
            "expires_days": 30,
        }
        for n in (4, 5)
    ]
    with hardenberg.factory() as session, session.begin():
        tokens = mint_links(session, secret=SECRET, links=specs)
        single = mint_link(session, secret=SECRET, **specs[0])
    assert len(set(tokens)) == 2
    assert len(single) == len(tokens[0])
    with hardenberg.factory() as session:
        rows = [verify_token(session, secret=SECRET, token=t) for t in tokens]
        assert [r.subject_id for r in rows] == ["HB-0004", "HB-0005"]
        assert all(r.expires_at - r.created_at == timedelta(days=30) for r in rows)
    with hardenberg.factory() as session, session.begin():
        claim_link(session, verify_token(session, secret=SECRET, token=tokens[0]))
    assert refusal_reason(hardenberg, tokens[0]) == "used"
    assert refusal_reason(hardenberg, tokens[1][:-2] + "xx") == "forged"


def test_links_expire_after_their_configured_days(hardenberg: Any):
    """A link minted 31 days ago with 30 days' validity is refused as expired."""
    with hardenberg.factory() as session, session.begin():
        token = mint_link(
            session,
            secret=SECRET,
            action=HELD_LINK,
            municipality="hardenberg",
            case_type="hire",
            case_id="NH-2027-001",
            subject_id="HB-0004",
            expires_days=30,
            now=utcnow() - timedelta(days=31),
        )
    assert refusal_reason(hardenberg, token) == "expired"


def test_links_work_once(hardenberg: Any):
    """After one use the same link is refused as used, and a second claim fails too."""
    token = token_of(checkin_record_link(hardenberg))
    held(hardenberg, token)
    assert refusal_reason(hardenberg, token) == "used"
    with hardenberg.factory() as session:
        row = session.scalars(select(ActionLink).where(ActionLink.action == HELD_LINK)).one()
        with pytest.raises(LinkRefused, match="already used"):
            claim_link(session, row)


def test_onb_5_cancelling_a_hire_revokes_its_open_links(hardenberg: Any):
    """cancel_hire revokes the hire's unused links: the check-in link is refused as revoked."""
    token = token_of(checkin_record_link(hardenberg))
    with hardenberg.factory() as session, session.begin():
        cancel_hire(session, "NH-2027-001", actor="HB-0002", today=RECORD_DAY)
    assert refusal_reason(hardenberg, token) == "revoked"
    assert first_talk(hardenberg).state == StepState.CANCELLED
