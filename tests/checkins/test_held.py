"""Tests of who records a check-in as held, and from when (CHK-2, CHK-3, X-4): the hire's
leidinggevende through the link or `poflow checkin held`, not before the talk's date; P&O on
behalf on its own page, with a reason, audited. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from poflow._exceptions import CheckinRefused
from poflow.checkins.rules import check_held, check_held_on_behalf
from poflow.cli import app
from poflow.db.models import AuditEntry, Hire, Step
from poflow.kernel.calendar import today
from poflow.states import StepState
from poflow.web import create_app
from tests.support import cli_login, move_talk
from tests.web.support import checkin_record_link, csrf_of, heading, login_as, path_of

TALK = date(2027, 3, 1)
PAGE = "/checkins/NH-2027-001/1/namens"
RUN = CliRunner()


def talk(rt: Any) -> Step:
    """NH-2027-001's first check-in as stored now."""
    with rt.factory() as session:
        return session.scalars(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()


def audits(rt: Any, action: str) -> list[AuditEntry]:
    """The audit rows of `action`, oldest first."""
    with rt.factory() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """The real web app on this test's database (SQLite, then PostgreSQL)."""
    with TestClient(create_app(example_data.settings)) as c:
        yield c


class TestTheRule:
    """The pure rules in poflow/checkins/rules.py."""

    def test_chk_2_only_the_leidinggevende_from_the_talks_date(self) -> None:
        """The leidinggevende records on and after the talk's date; before it, or anyone else,
        is refused."""
        check_held(by="HB-0004", manager_id="HB-0004", talk_on=TALK, day=TALK)
        check_held(by="HB-0004", manager_id="HB-0004", talk_on=TALK, day=TALK + timedelta(9))
        with pytest.raises(CheckinRefused, match="pas vanaf die dag"):
            check_held(by="HB-0004", manager_id="HB-0004", talk_on=TALK, day=TALK - timedelta(1))
        with pytest.raises(CheckinRefused, match="Alleen de leidinggevende"):
            check_held(by="HB-0002", manager_id="HB-0004", talk_on=TALK, day=TALK)

    def test_chk_3_p_and_o_on_behalf_needs_the_role_a_reason_and_the_date(self) -> None:
        """A P&O adviser of the municipality records on behalf with a reason of at most 1000
        characters, not before the date; anything else is refused."""
        po = frozenset({"po_adviseur"})
        ok = {"same_municipality": True, "reason": "Dirk is ziek.", "talk_on": TALK, "day": TALK}
        check_held_on_behalf(roles=po, **ok)
        for roles, changes, match in (
            (frozenset({"leidinggevende"}), {}, "Alleen een P&O-adviseur"),
            (po, {"same_municipality": False}, "Alleen een P&O-adviseur"),
            (po, {"reason": "  "}, "Vul de reden in"),
            (po, {"reason": "x" * 1001}, "langer dan 1000"),
            (po, {"day": TALK - timedelta(1)}, "pas vanaf die dag"),
        ):
            with pytest.raises(CheckinRefused, match=match):
                check_held_on_behalf(roles=roles, **{**ok, **changes})


class TestTheLink:
    """The leidinggevende's link (needs_login) applies the same rule."""

    def test_chk_2_the_link_is_refused_before_the_talks_date_and_works_on_it(
        self, example_data: Any, client: TestClient
    ) -> None:
        """Dirk's link, the day before the talk, is refused and leaves the talk open; on the
        talk's date the same link records it as his."""
        rt = example_data
        link = path_of(checkin_record_link(rt))
        move_talk(rt, "NH-2027-001", 1, today() + timedelta(days=1))
        login_as(client, rt, "HB-0004")
        early = client.post(link, data={"csrf": csrf_of(client.get(link).text)})
        assert early.status_code == 409
        assert "pas vanaf die dag" in early.text
        assert talk(rt).state == StepState.OPEN
        move_talk(rt, "NH-2027-001", 1, today())
        done = client.post(link, data={"csrf": csrf_of(client.get(link).text)})
        assert heading(done.text) == "Vastgelegd", done.text
        assert (talk(rt).state, talk(rt).done_by) == (StepState.DONE, "HB-0004")

    def test_chk_2_a_link_of_someone_no_longer_the_leidinggevende_is_refused(
        self, example_data: Any, client: TestClient
    ) -> None:
        """The hire got another leidinggevende after the mail: Dirk's link no longer records."""
        rt = example_data
        link = path_of(checkin_record_link(rt))
        with rt.factory() as session, session.begin():
            session.get(Hire, "NH-2027-001").manager_id = "HB-0006"
        login_as(client, rt, "HB-0004")
        answer = client.post(link, data={"csrf": csrf_of(client.get(link).text)})
        assert answer.status_code == 409
        assert "Alleen de leidinggevende" in answer.text
        assert talk(rt).state == StepState.OPEN


class TestTheCommand:
    """`poflow checkin held` records as the person logged in with `poflow login`."""

    def test_chk_2_the_command_records_only_as_the_leidinggevende_on_the_date(
        self, example_data: Any
    ) -> None:
        """Without login it asks for one; P&O logged in is refused; Dirk the day before is
        refused; on the date it is recorded as Dirk, audited with the operator (X-4)."""
        rt = example_data
        checkin_record_link(rt)  # plans the talks (and moves the first to today)
        command = ["checkin", "held", "NH-2027-001", "1"]
        anonymous = RUN.invoke(app, command)
        assert anonymous.exit_code == 1
        assert "Log eerst in: poflow login <personeelsnummer>" in anonymous.output
        cli_login(rt, "HB-0002")
        other = RUN.invoke(app, command)
        assert other.exit_code == 1
        assert "Alleen de leidinggevende" in other.output
        cli_login(rt, "HB-0004")
        move_talk(rt, "NH-2027-001", 1, today() + timedelta(days=1))
        early = RUN.invoke(app, command)
        assert early.exit_code == 1
        assert "pas vanaf die dag" in early.output
        assert talk(rt).state == StepState.OPEN
        assert [r.actor for r in audits(rt, "checkin.refused")] == ["HB-0002", "HB-0004"]
        move_talk(rt, "NH-2027-001", 1, today())
        held = RUN.invoke(app, command)
        assert held.exit_code == 0, held.output
        assert (talk(rt).state, talk(rt).done_by) == (StepState.DONE, "HB-0004")
        row = audits(rt, "step.done")[-1]
        assert row.actor == "HB-0004"
        assert row.detail["via"].startswith("cli:")


class TestOnBehalf:
    """P&O's page /checkins/{hire}/{month}/namens (CHK-3)."""

    def test_chk_3_p_and_o_records_on_behalf_with_a_reason_audited(
        self, example_data: Any, client: TestClient
    ) -> None:
        """Bram (P&O) gives a reason: the talk is done, audited as checkin.held by him on
        behalf of Dirk with the reason (X-4)."""
        rt = example_data
        checkin_record_link(rt)
        login_as(client, rt, "HB-0002")
        page = client.get(PAGE)
        assert page.status_code == 200
        assert heading(page.text) == "Gesprek vastleggen namens de leidinggevende"
        assert '<label for="veld-reden">' in page.text
        answer = client.post(PAGE, data={"csrf": csrf_of(page.text), "reden": "Dirk is ziek."})
        assert heading(answer.text) == "Vastgelegd", answer.text
        assert "Vastgelegd door Bram de Wit namens Dirk Mulder op " in answer.text
        assert (talk(rt).state, talk(rt).done_by) == (StepState.DONE, "HB-0002")
        (row,) = audits(rt, "checkin.held")
        assert row.actor == "HB-0002"
        assert row.detail["on_behalf_of"] == "HB-0004"
        assert row.detail["reason"] == "Dirk is ziek."

    def test_chk_3_without_a_reason_422_not_p_and_o_403_before_the_date_409(
        self, example_data: Any, client: TestClient
    ) -> None:
        """An empty reason gets the form back (422), a leidinggevende is not P&O (403), and the
        day before the talk is refused (409); the talk stays open."""
        rt = example_data
        checkin_record_link(rt)
        login_as(client, rt, "HB-0002")
        page = client.get(PAGE)
        empty = client.post(PAGE, data={"csrf": csrf_of(page.text), "reden": " "})
        assert empty.status_code == 422
        assert "Vul de reden in" in empty.text
        move_talk(rt, "NH-2027-001", 1, today() + timedelta(days=1))
        early = client.post(PAGE, data={"csrf": csrf_of(page.text), "reden": "Dirk is ziek."})
        assert early.status_code == 409
        assert "pas vanaf die dag" in early.text
        login_as(client, rt, "HB-0006")
        assert client.get(PAGE).status_code == 403
        refused = client.post(PAGE, data={"csrf": csrf_of(page.text), "reden": "Ik wil het."})
        assert refused.status_code == 403
        assert talk(rt).state == StepState.OPEN
        assert [r.actor for r in audits(rt, "checkin.refused")] == ["HB-0002", "HB-0006"]

    def test_x_4_without_login_to_the_login_page_and_a_foreign_post_refused(
        self, example_data: Any, client: TestClient
    ) -> None:
        """Without a session GET goes to /inloggen and back; a POST without its CSRF value or
        from another site's page is refused (403) and changes nothing."""
        rt = example_data
        checkin_record_link(rt)
        shown = client.get(PAGE, follow_redirects=False)
        assert shown.status_code == 303
        assert shown.headers["location"] == f"/inloggen?next={PAGE}"
        login_as(client, rt, "HB-0002")
        page = client.get(PAGE)
        forged = client.post(PAGE, data={"csrf": "0" * 64, "reden": "x"})
        foreign = client.post(
            PAGE,
            data={"csrf": csrf_of(page.text), "reden": "x"},
            headers={"Origin": "https://evil.example"},
        )
        assert (forged.status_code, foreign.status_code) == (403, 403)
        assert talk(rt).state == StepState.OPEN
