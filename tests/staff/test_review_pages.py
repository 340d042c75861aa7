"""The role-grant review pages (REC-9, X-4): an import's approval roles are confirmed or refused
together by a second person, logged in, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from poflow.approvals.decisions import roles_of
from poflow.db.models import AuditEntry
from poflow.staff.models import RoleGrant
from poflow.web import create_app
from tests.approvals.support import ask, decide, outcome_of
from tests.conftest import SmtpRecorder
from tests.staff.support import PO_MAILBOX, grant_by_import, import_examples, page_csrf
from tests.web.support import csrf_of, heading, login_as, snapshot

ESRA = "HB-0005"  # medewerker, asked to become leidinggevende
ESRA_MAIL = "esra.yilmaz@hardenberg.example.nl"


@pytest.fixture
def client(runtime: Any) -> Iterator[TestClient]:
    """The web app on this test's database, the example staff imported."""
    import_examples(runtime)
    with TestClient(create_app(runtime.settings)) as c:
        yield c


def _audited(rt: Any, action: str) -> int:
    with rt.factory() as s:
        return int(
            s.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


def test_rec_9_an_import_s_waiting_grants_are_mailed_to_p_and_o_not_to_the_requester(
    runtime: Any, client: TestClient, tmp_path: Path
):
    """The import mails P&O's team mailbox the review page of its waiting grants, in Dutch."""
    batch, mail = grant_by_import(runtime, tmp_path, {ESRA: "medewerker;leidinggevende"})
    assert mail.recipient_email == PO_MAILBOX
    assert mail.subject == "1 rol wacht op bevestiging door een tweede persoon"
    assert "Esra Yilmaz (HB-0005): leidinggevende" in mail.body_text
    assert "beheerder 'beheer' (opdrachtregel)" in mail.body_text
    assert f"/rollen/{batch}" in mail.body_html
    assert "Tot dan gelden deze rollen niet." in mail.body_text


def test_rec_9_the_review_page_needs_a_login_and_comes_back_after_it(
    runtime: Any, client: TestClient, tmp_path: Path
):
    """Without a session the review pages go through the login page and back."""
    batch, _ = grant_by_import(runtime, tmp_path, {ESRA: "medewerker;leidinggevende"})
    for path in ("/rollen", f"/rollen/{batch}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/inloggen?next={path}"
    before = snapshot(runtime)
    answer = client.post(f"/rollen/{batch}", data={"besluit": "bevestigen"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/inloggen?next=")
    assert snapshot(runtime) == before


def test_rec_9_a_second_p_and_o_adviser_confirms_and_the_role_then_decides(
    runtime: Any, client: TestClient, smtp: SmtpRecorder, tmp_path: Path
):
    """Bram sees the waiting grant by import, confirms it, and Esra then decides an approval."""
    batch, _ = grant_by_import(runtime, tmp_path, {ESRA: "medewerker;leidinggevende"})
    with runtime.factory() as s:
        assert "leidinggevende" not in roles_of(s, ESRA, "hardenberg")
    login_as(client, runtime, "HB-0002")
    overview = client.get("/rollen")
    assert overview.status_code == 200
    assert heading(overview.text) == "Rollen die wachten op bevestiging"
    assert "Esra Yilmaz (HB-0005): <strong>leidinggevende</strong>" in overview.text
    assert f'href="/rollen/{batch}"' in overview.text
    page = client.get(f"/rollen/{batch}")
    assert page.status_code == 200
    assert ">Bevestigen</button>" in page.text
    assert ">Weigeren</button>" in page.text
    answer = client.post(
        f"/rollen/{batch}",
        data={"csrf": csrf_of(page.text), "besluit": "bevestigen", "aanvraag": _ids(runtime)},
    )
    assert answer.status_code == 200, answer.text
    assert heading(answer.text) == "Rollen bevestigd"
    with runtime.factory() as s:
        assert "leidinggevende" in roles_of(s, ESRA, "hardenberg")
    assert _audited(runtime, "role_grant.confirmed") == 1
    assert "Er wachten geen rollen" in client.get("/rollen").text
    paths = ask(runtime, smtp, {"leidinggevende": ESRA, "po_adviseur": "HB-0003"})
    assert decide(client, paths[ESRA_MAIL]).status_code == 200
    assert outcome_of(runtime)[1] == 1  # Esra's decision is recorded


def test_rec_9_refusing_the_batch_gives_nobody_the_role(
    runtime: Any, client: TestClient, tmp_path: Path
):
    """The gemeentesecretaris refuses the import's two grants together: neither takes effect."""
    batch, _ = grant_by_import(
        runtime, tmp_path, {ESRA: "medewerker;leidinggevende", "HB-0007": "medewerker;or_lid"}
    )
    login_as(client, runtime, "HB-0001")
    page = client.get(f"/rollen/{batch}")
    assert page.text.count("<tr><td>") == 2
    answer = client.post(
        f"/rollen/{batch}",
        data={"csrf": csrf_of(page.text), "besluit": "weigeren", "aanvraag": _ids(runtime)},
    )
    assert heading(answer.text) == "Rollen geweigerd"
    with runtime.factory() as s:
        assert "leidinggevende" not in roles_of(s, ESRA, "hardenberg")
        assert "or_lid" not in roles_of(s, "HB-0007", "hardenberg")
        assert (
            s.scalar(
                select(func.count()).select_from(RoleGrant).where(RoleGrant.refused_at.is_not(None))
            )
            == 2
        )
    assert _audited(runtime, "role_grant.refused") == 2


def test_rec_9_the_requester_cannot_confirm_their_own_grants_on_the_page(
    runtime: Any, client: TestClient, tmp_path: Path
):
    """A P&O adviser who imported the grants sees why not and no buttons; a POST anyway is
    refused by the service in Dutch (403), audited, and the role does not hold."""
    batch, _ = grant_by_import(
        runtime, tmp_path, {ESRA: "medewerker;leidinggevende"}, actor="HB-0003"
    )
    login_as(client, runtime, "HB-0003")
    page = client.get(f"/rollen/{batch}")
    assert "heeft deze rollen zelf aangevraagd" in page.text
    assert "<button" not in page.text.split("<main", 1)[1].split("</main>")[0]
    answer = client.post(
        f"/rollen/{batch}",
        data={
            "csrf": page_csrf(client, runtime, batch),
            "besluit": "bevestigen",
            "aanvraag": _ids(runtime),
        },
    )
    assert answer.status_code == 403
    assert "heeft deze rollen zelf aangevraagd" in answer.text
    assert _audited(runtime, "role_grant.confirm_refused") == 1
    with runtime.factory() as s:
        assert "leidinggevende" not in roles_of(s, ESRA, "hardenberg")


def test_rec_9_a_person_who_is_no_confirmer_sees_no_grants_and_cannot_confirm(
    runtime: Any, client: TestClient, tmp_path: Path
):
    """A leidinggevende sees a Dutch 403 on the pages; a POST is refused by the service."""
    batch, _ = grant_by_import(runtime, tmp_path, {ESRA: "medewerker;leidinggevende"})
    login_as(client, runtime, "HB-0004")
    assert client.get("/rollen").status_code == 403
    assert client.get(f"/rollen/{batch}").status_code == 403
    answer = client.post(
        f"/rollen/{batch}",
        data={
            "csrf": page_csrf(client, runtime, batch),
            "besluit": "bevestigen",
            "aanvraag": _ids(runtime),
        },
    )
    assert answer.status_code == 403
    assert "Alleen een P&amp;O-adviseur of de gemeentesecretaris" in answer.text
    assert _audited(runtime, "role_grant.confirm_refused") == 1


def test_x_4_a_cross_site_or_csrf_less_post_changes_nothing(
    runtime: Any, client: TestClient, tmp_path: Path
):
    """A POST from another site's page, or without the page's CSRF value, is refused."""
    batch, _ = grant_by_import(runtime, tmp_path, {ESRA: "medewerker;leidinggevende"})
    login_as(client, runtime, "HB-0002")
    page = client.get(f"/rollen/{batch}")
    before = snapshot(runtime)
    data = {"csrf": csrf_of(page.text), "besluit": "bevestigen", "aanvraag": _ids(runtime)}
    evil = client.post(f"/rollen/{batch}", data=data, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403
    bare = client.post(f"/rollen/{batch}", data={**data, "csrf": "0" * 64})
    assert bare.status_code == 403
    with runtime.factory() as s:
        assert "leidinggevende" not in roles_of(s, ESRA, "hardenberg")
    after = snapshot(runtime)
    assert after["role_grant"] == before["role_grant"]
    assert after["person_role"] == before["person_role"]


def _ids(rt: Any) -> list[str]:
    with rt.factory() as s:
        return [
            str(i)
            for i in s.scalars(
                select(RoleGrant.id).where(
                    RoleGrant.confirmed_at.is_(None), RoleGrant.refused_at.is_(None)
                )
            )
        ]
