"""The conversation cycle per employee in the workspace (issue 21, item 6): P&O starts a cycle
on a chosen date, records the scale facts and plans an extra appraisal for a legal-status
decision with the same domain functions as `poflow cycle` and `poflow appraisal`, audited as the
adviser (X-4); the decision is refused in Dutch while its appraisal is open (GES-5); on SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.conversations.case import find_cycle
from poflow.conversations.models import LegalDecision
from poflow.conversations.states import LegalState
from poflow.db.models import AuditEntry
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import CaseType
from poflow.web import create_app
from tests.web.support import heading, login_as

PO, MANAGER, OTHER_MANAGER, COLLEAGUE = "HB-0002", "HB-0004", "HB-0006", "HB-0005"


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database with the example staff and hires."""
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def csrf_for(html: str, action: str) -> str:
    """The CSRF value of the form posting to `action`."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" '
        r'value="([^"]+)"',
        html,
    )
    assert found, f"no form to {action}"
    return found.group(1)


def post(client: TestClient, page: str, action: str, data: dict[str, str]) -> Any:
    """Post the form `action` of `page` with its CSRF value, not following the redirect."""
    csrf = csrf_for(client.get(page).text, action)
    return client.post(action, data={"csrf": csrf, **data}, follow_redirects=False)


def audited(rt: Any, action: str) -> list[AuditEntry]:
    """The audit rows of `action`, oldest first."""
    with rt.factory() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def start(client: TestClient, **extra: str) -> Any:
    """Start Esra's cycle in 30 days with Dirk as leidinggevende, through the form."""
    data = {
        "start_datum": (today() + timedelta(days=30)).isoformat(),
        "start_leidinggevende": MANAGER,
        "start_in_dienst": (today() - timedelta(days=900)).isoformat(),
        "start_maximum": "nee",
        **extra,
    }
    return post(client, f"/gesprekken/{COLLEAGUE}", f"/gesprekken/{COLLEAGUE}/starten", data)


class TestStart:
    """Starting a cycle on a chosen date (GES-1)."""

    def test_ges_1_po_starts_a_staff_cycle_on_a_chosen_date(
        self, example_data: Any, client: TestClient
    ):
        """The form starts the cycle with the manager chosen, audited as the adviser; the page
        then says so and shows the first richtgesprek, and the cycle list links to it."""
        login_as(client, example_data, PO)
        page = client.get(f"/gesprekken/{COLLEAGUE}")
        assert page.status_code == 200
        assert heading(page.text) == "Gesprekscyclus van Esra Yilmaz"
        assert "heeft nog geen gesprekscyclus" in page.text
        done = start(client)
        assert done.status_code == 303
        assert done.headers["location"] == f"/gesprekken/{COLLEAGUE}?gedaan=gestart"
        shown = client.get(done.headers["location"]).text
        assert "De gesprekscyclus is gestart" in shown
        assert "Richtgesprek" in shown
        assert "Dirk Mulder" in shown
        with example_data.factory() as session:
            cycle = find_cycle(session, CaseType.PERSON, COLLEAGUE)
            assert cycle is not None
            assert cycle.manager_id == MANAGER
        assert [a.actor for a in audited(example_data, "ges.cycle.started")] == [PO]
        listed = client.get("/gesprekken").text
        assert f'<a href="/gesprekken/{COLLEAGUE}">Esra Yilmaz</a>' in listed
        assert "1 cyclus." in listed

    def test_ges_1_staff_needs_a_manager_and_a_date_of_service(
        self, example_data: Any, client: TestClient
    ):
        """Without the date of service or the manager, existing staff gets a Dutch error on
        that field and no cycle; a second start is refused."""
        login_as(client, example_data, PO)
        missing = start(client, start_in_dienst="")
        assert missing.status_code == 422
        assert "In dienst sinds: verplicht voor een medewerker in dienst." in missing.text
        no_manager = start(client, start_leidinggevende="")
        assert no_manager.status_code == 422
        assert "Leidinggevende: verplicht voor een medewerker in dienst." in no_manager.text
        not_a_manager = start(client, start_leidinggevende="HB-0007")
        assert not_a_manager.status_code == 422
        assert "geen leidinggevende van deze gemeente" in not_a_manager.text
        bad_day = start(client, start_datum="1-3-2027")
        assert "1-3-2027 is geen datum" in bad_day.text
        with example_data.factory() as session:
            assert find_cycle(session, CaseType.PERSON, COLLEAGUE) is None
        assert start(client).status_code == 303
        again = post(
            client,
            f"/gesprekken/{COLLEAGUE}",
            f"/gesprekken/{COLLEAGUE}/extra",
            {},
        )
        assert again.status_code == 422  # the extra form without its fields


class TestScaleFacts:
    """The scale facts the raise rule needs (GES-4)."""

    def test_ges_4_po_records_the_scale_facts(self, example_data: Any, client: TestClient):
        """The maximum of the scale and the last raise are recorded, audited as the adviser."""
        login_as(client, example_data, PO)
        start(client)
        raised = (today() - timedelta(days=100)).isoformat()
        page = f"/gesprekken/{COLLEAGUE}"
        empty = post(client, page, f"{page}/schaal", {"schaal_maximum": ""})
        assert empty.status_code == 422
        assert "Vul minstens één gegeven over de schaal in." in empty.text
        done = post(
            client, page, f"{page}/schaal", {"schaal_maximum": "ja", "schaal_periodiek": raised}
        )
        assert done.status_code == 303
        assert (
            "De gegevens over de schaal zijn vastgelegd."
            in client.get(done.headers["location"]).text
        )
        with example_data.factory() as session:
            cycle = find_cycle(session, CaseType.PERSON, COLLEAGUE)
            assert cycle is not None
            assert cycle.at_scale_max is True
            assert cycle.last_raise_on.isoformat() == raised  # type: ignore[union-attr]
        rows = audited(example_data, "ges.cycle.updated")
        assert [(a.actor, a.detail["fields"]) for a in rows] == [(PO, "at_scale_max,last_raise_on")]


class TestLegalDecision:
    """An extra appraisal before a legal-status decision (GES-5)."""

    def test_ges_5_decision_is_refused_while_its_extra_appraisal_is_open(
        self, example_data: Any, client: TestClient
    ):
        """A decision is refused in Dutch (and the refusal audited) while its extra appraisal
        is open; once the appraisal is recorded the form records it as the adviser's."""
        login_as(client, example_data, PO)
        start(client)
        page = f"/gesprekken/{COLLEAGUE}"
        planned = post(
            client,
            page,
            f"{page}/extra",
            {"extra_reden": "promotie", "extra_datum": (today() + timedelta(days=10)).isoformat()},
        )
        assert planned.status_code == 303
        shown = client.get(planned.headers["location"]).text
        assert "Het extra beoordelingsgesprek is gepland." in shown
        assert "wacht op het extra beoordelingsgesprek" in shown
        with example_data.factory() as session:
            decision = session.scalars(select(LegalDecision)).one()
            did = decision.id
            assert (decision.manager_id, decision.requested_by) == (MANAGER, PO)
        refused = post(client, page, f"{page}/besluit/{did}", {f"notitie_{did}": "akkoord"})
        assert refused.status_code == 409
        assert "het extra beoordelingsgesprek is nog niet vastgelegd" in refused.text
        assert [a.actor for a in audited(example_data, "ges.legal.refused")] == [PO]
        with example_data.factory() as session, session.begin():
            decision = session.get_one(LegalDecision, did)
            assert decision.state is LegalState.AWAITING_APPRAISAL
            decision.state = LegalState.READY  # the leidinggevende recorded the appraisal
        done = post(client, page, f"{page}/besluit/{did}", {f"notitie_{did}": "akkoord"})
        assert done.status_code == 303
        assert "Het besluit is vastgelegd." in client.get(done.headers["location"]).text
        with example_data.factory() as session:
            decision = session.get_one(LegalDecision, did)
            assert (decision.state, decision.decided_by) == (LegalState.DECIDED, PO)
        assert [a.actor for a in audited(example_data, "ges.legal.decided")] == [PO]

    def test_ges_5_extra_appraisal_with_someone_not_a_manager_is_refused(
        self, example_data: Any, client: TestClient
    ):
        """Without a cycle or a leidinggevende chosen, or with a colleague who is none, the
        extra appraisal is refused on that field and nothing is planned."""
        login_as(client, example_data, PO)
        page = f"/gesprekken/{COLLEAGUE}"
        day = (today() + timedelta(days=10)).isoformat()
        unknown = post(client, page, f"{page}/extra", {"extra_reden": "vast", "extra_datum": day})
        assert unknown.status_code == 422
        assert "van deze medewerker is er geen bekend" in unknown.text
        colleague = post(
            client,
            page,
            f"{page}/extra",
            {"extra_reden": "vast", "extra_datum": day, "extra_leidinggevende": "HB-0007"},
        )
        assert "geen leidinggevende van deze gemeente" in colleague.text
        wrong = post(client, page, f"{page}/extra", {"extra_reden": "ontslag", "extra_datum": day})
        assert "kies een van de besluiten" in wrong.text
        with example_data.factory() as session:
            assert session.scalars(select(LegalDecision)).first() is None


def test_cycle_pages_are_for_po_of_their_own_municipality(example_data: Any, client: TestClient):
    """A leidinggevende is refused the page; another municipality's employee or an unknown id
    answers 404."""
    login_as(client, example_data, MANAGER)
    assert client.get(f"/gesprekken/{COLLEAGUE}").status_code == 403
    login_as(client, example_data, PO)
    assert client.get("/gesprekken/NH-2027-101").status_code == 404
    assert client.get("/gesprekken/XX-404").status_code == 404
    opened = client.get("/gesprekken/medewerker?nummer=hb-0005", follow_redirects=False)
    assert opened.headers["location"] == f"/gesprekken/{COLLEAGUE}"
