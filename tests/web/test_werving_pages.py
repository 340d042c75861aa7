"""The recruitment board of the workspace (issue 21, item 5): rounds by stage and whom they wait
on, one round's candidates by tier and decisions with the asked person's own decision link, and
opening a round through the CLI's own open_round, audited as the logged-in person; on SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from poflow.cli import app as cli_app
from poflow.db.models import AuditEntry, Outbox, Person, PersonRole
from poflow.recruitment.models import RecruitmentRound
from poflow.web import create_app
from tests.recruitment.support import D0, apply, publish
from tests.recruitment.support import open_round as open_example_round
from tests.web.support import heading, login_as

PO, GS, MT, COLLEGA, RECRUITER, OTHER = (
    "HB-0002",
    "HB-0001",
    "HB-0004",
    "HB-0005",
    "HB-0003",
    "HB-0007",
)
NEED = {
    "team": "Ruimtelijk domein",
    "functie": "Beleidsadviseur wonen",
    "fte": "0,89",
    "po": PO,
    "mt_lid": MT,
    "leidinggevende": MT,
    "collega": COLLEGA,
    "recruiter": RECRUITER,
    "venster": "",
}
COMPARED = (
    "municipality",
    "team",
    "function",
    "fte",
    "formation_change",
    "internal_window_days",
    "po_id",
    "mt_lid_id",
    "leidinggevende_id",
    "colleague_id",
    "recruiter_id",
    "gemeentesecretaris_id",
    "or_id",
    "state",
)


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database with the example staff and hires."""
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def form_csrf_of(html: str, action: str) -> str:
    """The CSRF value of the page's form posting to `action` (the menu's logout form has one)."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" '
        r'value="([^"]+)"',
        html,
    )
    assert found, f"no form to {action} with a CSRF value"
    return found.group(1)


def _open(client: TestClient, **changes: str) -> Any:
    page = client.get("/werving/nieuw")
    assert page.status_code == 200, heading(page.text)
    return client.post(
        "/werving/nieuw",
        data={"csrf": form_csrf_of(page.text, "/werving/nieuw"), **NEED, **changes},
        follow_redirects=False,
    )


def _round(rt: Any, round_id: str) -> dict[str, Any]:
    with rt.factory() as session:
        rnd = session.get(RecruitmentRound, round_id)
        assert rnd is not None
        return {c: getattr(rnd, c) for c in COMPARED}


def _audit(rt: Any, action: str, entity: str) -> list[str]:
    with rt.factory() as session:
        return list(
            session.scalars(
                select(AuditEntry.actor).where(
                    AuditEntry.action == action, AuditEntry.entity_id == entity
                )
            )
        )


def test_x_4_a_round_opened_from_the_form_is_the_round_the_cli_opens(
    example_data: Any, client: TestClient
):
    """The wervingsbehoefte form opens the round `poflow recruitment open` opens with the same
    values, audited as the logged-in P&O adviser, and asks for the vacancy text by mail."""
    login_as(client, example_data, PO)
    answer = _open(client)
    assert answer.status_code == 303, heading(answer.text)
    web_id = answer.headers["location"].split("/")[-1].split("?")[0]
    page = client.get(answer.headers["location"])
    assert "De wervingsronde is geopend" in page.text
    assert heading(page.text) == f"Wervingsronde {web_id}: Beleidsadviseur wonen"
    result = CliRunner().invoke(
        cli_app,
        [
            "recruitment",
            "open",
            "--municipality=hardenberg",
            "--team=Ruimtelijk domein",
            "--function=Beleidsadviseur wonen",
            "--fte=0.89",
            f"--po={PO}",
            f"--mt-lid={MT}",
            f"--leidinggevende={MT}",
            f"--colleague={COLLEGA}",
            f"--recruiter={RECRUITER}",
        ],
    )
    assert result.exit_code == 0, result.output
    cli_id = re.search(r"Round (WR-\S+) opened", result.output).group(1)  # type: ignore[union-attr]
    assert _round(example_data, web_id) == _round(example_data, cli_id)
    assert _audit(example_data, "round.opened", web_id) == [PO]
    assert _audit(example_data, "round.opened", cli_id)[0].startswith("cli:")
    with example_data.factory() as session:
        asked = session.scalars(
            select(Outbox.case_id).where(Outbox.template == "recruitment/rec_tekst_opstellen")
        ).all()
    assert sorted(asked) == sorted([web_id, cli_id])


def test_bad_input_is_named_per_field_and_opens_nothing(example_data: Any, client: TestClient):
    """Missing and malformed fields are named each, and a need the domain refuses (a panel
    colleague from another team) is said; no round is opened."""
    login_as(client, example_data, PO)
    answer = _open(client, team="", functie="", fte="veel", mt_lid="", venster="400")
    assert answer.status_code == 422
    for text in (
        "Kies het team waarvoor de ronde is.",
        "Vul de functie in.",
        "Vul het aantal fte in als getal",
        "Kies het MT-lid.",
        "Vul een aantal dagen in van 1 tot en met 90",
    ):
        assert text in answer.text, text
    refused = _open(client, collega="HB-0007")  # Gerrit works in the Maatschappelijk domein
    assert refused.status_code == 422
    assert "a panel colleague comes from the team" in refused.text
    with example_data.factory() as session:
        assert session.scalars(select(RecruitmentRound)).all() == []


def test_the_board_shows_rounds_by_stage_and_whom_they_wait_on(
    example_data: Any, smtp: Any, client: TestClient
):
    """A formation round waits on the gemeentesecretaris and the OR; a published round on the
    MT-lid's selection, with its candidates by tier (names for P&O)."""
    waiting = open_example_round(example_data, formation_change=True)
    published = open_example_round(example_data, formation_change=False)
    publish(example_data, smtp, published)
    apply(example_data, published, "Lotte", 1, D0)
    apply(example_data, published, "Sven", 2, D0)
    login_as(client, example_data, PO)
    board = client.get("/werving")
    assert board.status_code == 200
    text = board.text
    assert heading(text) == "Werving"
    formation = text.index("Formatiewijziging (1)")
    assert text.index(waiting) > formation
    assert "Anouk Verbeek neemt een besluit" in text
    assert "Karim El Amrani neemt een besluit" in text
    assert "Dirk Mulder selecteert voor de eerste ronde" in text
    page = client.get(f"/werving/{published}")
    assert page.status_code == 200
    assert "Categorie 1: bovenformatief of UWO: 1" in page.text
    assert "Categorie 2: eigen medewerkers: 1" in page.text
    assert "Lotte Testpersoon" in page.text
    assert "Sven Testpersoon" in page.text
    assert "Vacaturetekst: akkoord" in page.text


def test_rec_9_the_asked_person_gets_their_own_decision_link_and_no_one_elses(
    example_data: Any, client: TestClient
):
    """The gemeentesecretaris sees the formation round (no candidate names) with a link to
    their own login-required decision page; the P&O adviser sees the round without a link."""
    round_id = open_example_round(example_data, formation_change=True)
    login_as(client, example_data, PO)
    assert "/a/" not in client.get(f"/werving/{round_id}").text
    login_as(client, example_data, GS)
    page = client.get(f"/werving/{round_id}")
    assert page.status_code == 200
    assert "alleen de aantallen" in page.text
    links = re.findall(r'href="(/a/[^"]+)"', page.text)
    assert len(links) == 1
    decision = client.get(links[0])
    assert decision.status_code == 200
    assert "Besluit nemen (vierogenprincipe)" in decision.text
    assert "Besluit vastleggen" in decision.text


def test_roles_and_municipality_decide_what_is_seen(example_data: Any, client: TestClient):
    """A colleague with no part sees no rounds and may not open one; a round of another
    municipality answers 404 as an unknown one; without a login the board sends to the login."""
    round_id = open_example_round(example_data, formation_change=False)
    assert client.get("/werving", follow_redirects=False).status_code == 303
    login_as(client, example_data, OTHER)
    board = client.get("/werving")
    assert board.status_code == 200
    assert round_id not in board.text
    assert client.get(f"/werving/{round_id}").status_code == 404
    assert client.get("/werving/nieuw").status_code == 403
    with example_data.factory() as session, session.begin():
        session.add(
            Person(
                id="KB-9001",
                municipality="kaag-en-braassem",
                given_name="Mila",
                family_name="Vos",
                team="P&O",
                email="mila.vos@kaag-en-braassem.example.nl",
            )
        )
        session.flush()
        session.add(
            PersonRole(person_id="KB-9001", municipality="kaag-en-braassem", role="po_adviseur")
        )
    login_as(client, example_data, "KB-9001")
    assert client.get(f"/werving/{round_id}").status_code == 404
    assert round_id not in client.get("/werving").text
    login_as(client, example_data, COLLEGA)  # the round's panel colleague sees it
    assert client.get(f"/werving/{round_id}").status_code == 200


def test_opening_a_round_needs_the_forms_csrf_value(example_data: Any, client: TestClient):
    """A POST without the form's CSRF value, or from another site, opens nothing."""
    login_as(client, example_data, PO)
    assert client.post("/werving/nieuw", data={**NEED, "csrf": "0" * 64}).status_code == 403
    page = client.get("/werving/nieuw")
    foreign = client.post(
        "/werving/nieuw",
        data={**NEED, "csrf": form_csrf_of(page.text, "/werving/nieuw")},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    with example_data.factory() as session:
        assert session.scalars(select(RecruitmentRound)).all() == []
