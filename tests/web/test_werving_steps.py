"""A round's P&O and MT steps through the workspace pages (issue 21, item 5): one round walked
from candidates to the contract, each step calling the CLI's service as the logged-in person
(X-4), the REC-4 reason asked when a higher tier is passed over, and a step in the wrong stage or
by the wrong person refused with nothing changed; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from poflow.db.models import AuditEntry, Hire
from poflow.recruitment import stages
from poflow.recruitment.models import Candidate, RecruitmentRound
from poflow.web import create_app
from tests.recruitment.support import (
    COL_MAIL,
    MT_MAIL,
    PO_MAIL,
    approve_by_mail,
    confirm_selection_by_mail,
    run,
    send,
)
from tests.recruitment.support import open_round as open_example_round
from tests.web.support import heading, login_as

PO, MT, PO2 = "HB-0002", "HB-0004", "HB-0003"
TEXT = "Wij zoeken een beleidsadviseur wonen met hart voor de kernen van onze gemeente."


@pytest.fixture
def client(example_data: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database with the example staff and hires."""
    with TestClient(create_app(example_data.settings)) as c:
        yield c


def csrf_for(html: str, action: str) -> str:
    """The CSRF value of the page's form posting to `action`."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"',
        html,
    )
    assert found, f"no form to {action}: {heading(html)}"
    return found.group(1)


def step(client: TestClient, rid: str, slug: str, data: Any = None, **kw: Any) -> Any:
    """Open the step's page and post its form (`files` for an upload)."""
    on = "kandidaten" if slug in {"dienstverband", "importeren"} else slug
    page = client.get(f"/werving/{rid}/{on}")
    assert page.status_code == 200, heading(page.text)
    action = f"/werving/{rid}/{slug}" if slug != "importeren" else "/werving/importeren"
    fields: Any = {"csrf": csrf_for(page.text, action), **(data or {})}
    return client.post(action, data=fields, follow_redirects=False, **kw)


def done(client: TestClient, answer: Any, says: str) -> str:
    """The step redirected to the round's page, which says what was done."""
    assert answer.status_code == 303, heading(answer.text) + answer.text[-3000:]
    page = client.get(answer.headers["location"])
    assert says in page.text, page.text
    return page.text


def state(rt: Any, rid: str) -> str:
    with rt.factory() as s:
        rnd = s.get(RecruitmentRound, rid)
        assert rnd is not None
        return rnd.state.value


def actors(rt: Any, action: str) -> set[str]:
    with rt.factory() as s:
        return set(s.scalars(select(AuditEntry.actor).where(AuditEntry.action == action)))


def audit_count(rt: Any, rid: str) -> int:
    """The audit rows about the round."""
    with rt.factory() as s:
        found = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_id == rid)
        return s.scalar(found) or 0


def flow(rt: Any, rid: str) -> None:
    """What the round's flow does when woken: apply the decisions taken (stages.advance_round)."""
    send(rt)
    run(rt, date.today(), stages.advance_round, rid, actor="flow")
    send(rt)


def _text_confirmed(rt: Any, smtp: Any, client: TestClient) -> str:
    """A round whose vacancy text P&O wrote on its page and both confirmed by mail (REC-3)."""
    rid = open_example_round(rt, formation_change=False)
    login_as(client, rt, PO)
    done(client, step(client, rid, "vacaturetekst", {"tekst": TEXT}), "De vacaturetekst is")
    send(rt)
    approve_by_mail(rt, smtp, PO_MAIL, "Vacaturetekst")
    approve_by_mail(rt, smtp, MT_MAIL, "Vacaturetekst")
    return rid


def _published(rt: Any, smtp: Any, client: TestClient) -> str:
    rid = _text_confirmed(rt, smtp, client)
    flow(rt, rid)
    assert state(rt, rid) == "internal"
    return rid


def _next_monday() -> date:
    day = date.today() + timedelta(days=60)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def test_x_4_a_round_walks_from_candidates_to_the_contract_through_the_pages(
    example_data: Any, smtp: Any, client: TestClient
):
    """P&O and the MT-lid take every step of a round on its pages, each audited as the person
    logged in, and the round ends with the new colleague's hire (REC-3..10)."""
    rt = example_data
    rid = _published(rt, smtp, client)
    page = client.get(f"/werving/{rid}").text
    assert "Kandidaten toevoegen" in page
    assert "Selecteren" not in page  # the MT-lid's step, not P&O's
    done(
        client,
        step(client, rid, "dienstverband", {"nummer": "HB-0011", "dienstverband": "inleen"}),
        "Het dienstverband is vastgelegd",
    )
    one = {
        "voornaam": "Lisa",
        "achternaam": "Testpersoon",
        "email": "lisa@example.org",
        "categorie": "2",
        "personeelsnummer": "HB-0009",
    }
    done(client, step(client, rid, "kandidaten", one), "De kandidaat is toegevoegd")
    csv = (
        "given_name,family_name,email,tier,consent_partners,consent_retention,referred_by,"
        "employee_id\nNoor,Fictief,noor@example.org,3,ja,nee,,HB-0011\n"
    )
    answer = step(
        client,
        rid,
        "importeren",
        {"ronde": rid},
        files={"bestand": ("kandidaten.csv", csv.encode(), "text/csv")},
    )
    done(client, answer, "De kandidaten uit het bestand zijn toegevoegd")
    with rt.factory() as s:
        cands = {c.given_name: c.id for c in s.scalars(select(Candidate))}
    login_as(client, rt, MT)
    assert "Selecteren voor de gesprekken" in client.get(f"/werving/{rid}").text
    both = {"kandidaten": [cands["Lisa"], cands["Noor"]], "met_po": PO}
    done(client, step(client, rid, "selecteren", both), "De selectie is voorgesteld")
    assert state(rt, rid) == "internal"  # until the named P&O adviser confirms (REC-5)
    confirm_selection_by_mail(rt, smtp)
    login_as(client, rt, PO)
    start = f"{_next_monday().isoformat()}T09:00"
    done(client, step(client, rid, "gesprekken", {"start": start}), "De gesprekken zijn gepland")
    login_as(client, rt, MT)
    noor = {
        "kandidaten": [cands["Noor"]],
        "met_po": PO,
        f"reden-{cands['Lisa']}": "Voldoet niet aan de functie-eisen",
    }
    done(client, step(client, rid, "selecteren", noor), "De selectie is voorgesteld")
    confirm_selection_by_mail(rt, smtp)
    login_as(client, rt, PO)
    done(client, step(client, rid, "gesprekken", {"start": start}), "De gesprekken zijn gepland")
    done(client, step(client, rid, "aanbod", {"kandidaat": cands["Noor"]}), "Het aanbod is")
    send(rt)
    for who in (PO_MAIL, MT_MAIL, COL_MAIL):
        approve_by_mail(rt, smtp, who, "aanbod aan Noor")
    flow(rt, rid)
    terms = {
        "start": _next_monday().isoformat(),
        "contract": "tijdelijk",
        "maanden": "12",
        "werkmail": "noor.fictief@hardenberg.example.nl",
    }
    done(client, step(client, rid, "voorwaarden", terms), "De voorwaarden zijn vastgelegd")
    send(rt)
    approve_by_mail(rt, smtp, MT_MAIL, "Arbeidsvoorwaardengesprek")
    approve_by_mail(rt, smtp, PO_MAIL, "Arbeidsvoorwaardengesprek")
    send(rt)
    # No flow run: P&O applies the decisions on the round's page (`recruitment advance`), and
    # at the advice its documents go out from there (REC-10).
    assert not [m for m in smtp.messages if "Aanstellingsadvies" in str(m["Subject"])]
    done(client, step(client, rid, "verwerken"), "De genomen besluiten zijn verwerkt")
    assert state(rt, rid) == "advice"
    assert [m for m in smtp.messages if "Aanstellingsadvies" in str(m["Subject"])]
    done(client, step(client, rid, "arbeidsovereenkomst"), "De arbeidsovereenkomst is gemeld")
    assert state(rt, rid) == "filled"
    with rt.factory() as s:
        hire = s.get(Hire, f"NH-{rid}")
        assert hire is not None
        assert hire.given_name == "Noor"
    assert actors(rt, "round.contract_done") == {PO}
    assert actors(rt, "candidate.passed_over") == {MT}
    assert actors(rt, "person.standing") == {PO}
    assert actors(rt, "round.terms") == {PO}
    assert PO in actors(rt, "candidate.applied")
    assert PO in actors(rt, "candidate.invited")


def test_rec_3_without_a_flow_run_the_rounds_p_o_adviser_applies_the_decisions(
    example_data: Any, smtp: Any, client: TestClient
):
    """A round without a Prefect flow run stands still after a decision until its P&O adviser
    presses "Besluiten verwerken" (as `poflow recruitment advance`); the MT-lid is not offered
    it and is refused. REC-3: the confirmed vacancy text publishes the round."""
    rt = example_data
    rid = _text_confirmed(rt, smtp, client)
    assert state(rt, rid) == "text_review"
    login_as(client, rt, MT)
    assert "Besluiten verwerken" not in client.get(f"/werving/{rid}").text
    assert client.get(f"/werving/{rid}/verwerken").status_code == 403
    assert state(rt, rid) == "text_review"
    login_as(client, rt, PO)
    assert "Besluiten verwerken" in client.get(f"/werving/{rid}").text
    done(client, step(client, rid, "verwerken"), "De genomen besluiten zijn verwerkt")
    assert state(rt, rid) == "internal"
    with rt.factory() as s:
        latest = s.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == rid).order_by(AuditEntry.id.desc())
        ).first()
    assert latest is not None
    assert latest.actor == PO


def test_rec_4_passing_over_a_higher_tier_needs_a_reason(
    example_data: Any, smtp: Any, client: TestClient
):
    """The MT-lid choosing a tier 3 candidate over a tier 2 one without a reason is refused at
    the passed-over candidate's field, nothing changes, and the refusal is audited as them."""
    rt = example_data
    rid = _published(rt, smtp, client)
    step(client, rid, "dienstverband", {"nummer": "HB-0011", "dienstverband": "inleen"})
    for name, tier, emp in (("Lisa", "2", "HB-0009"), ("Noor", "3", "HB-0011")):
        one = {
            "voornaam": name,
            "achternaam": "Testpersoon",
            "email": f"{name}@example.org",
            "categorie": tier,
            "personeelsnummer": emp,
        }
        done(client, step(client, rid, "kandidaten", one), "De kandidaat is toegevoegd")
    with rt.factory() as s:
        cands = {c.given_name: c.id for c in s.scalars(select(Candidate))}
    login_as(client, rt, MT)
    answer = step(client, rid, "selecteren", {"kandidaten": [cands["Noor"]], "met_po": PO})
    assert answer.status_code == 422
    assert f"Geef een reden om kandidaat {cands['Lisa']} van een hogere categorie" in answer.text
    assert "Cannot" not in answer.text
    assert state(rt, rid) == "internal"
    assert actors(rt, "round.selection_refused") == {MT}
    assert actors(rt, "candidate.passed_over") == set()


def test_a_step_in_the_wrong_stage_or_by_the_wrong_person_is_refused_and_changes_nothing(
    example_data: Any, smtp: Any, client: TestClient
):
    """The MT-lid cannot draft the text (P&O's step), P&O cannot propose an offer while drafting,
    another P&O adviser cannot withdraw the round; each gets a Dutch refusal and nothing is
    written; another municipality's round is unknown."""
    rt = example_data
    rid = open_example_round(rt, formation_change=False)
    login_as(client, rt, PO)
    page = client.get(f"/werving/{rid}/vacaturetekst").text
    token = csrf_for(page, f"/werving/{rid}/vacaturetekst")
    before = audit_count(rt, rid)
    offer = client.post(f"/werving/{rid}/aanbod", data={"csrf": token, "kandidaat": "X"})
    assert offer.status_code == 403  # CSRF of another form: refused as not from our page
    assert client.get(f"/werving/{rid}/aanbod").status_code == 403
    assert "hoort niet bij de fase" in client.get(f"/werving/{rid}/aanbod").text
    for person, slug in ((MT, "vacaturetekst"), (PO2, "intrekken")):
        login_as(client, rt, person)
        answer = client.get(f"/werving/{rid}/{slug}")
        assert answer.status_code == 403, (person, slug)
        assert "Er is niets gewijzigd" in answer.text
    assert state(rt, rid) == "drafting"
    assert audit_count(rt, rid) == before
    with rt.factory() as s, s.begin():
        s.get(RecruitmentRound, rid).municipality = "borger-odoorn"
    login_as(client, rt, PO)
    assert client.get(f"/werving/{rid}/vacaturetekst").status_code == 404


def test_a_bad_field_or_a_refused_candidate_is_said_in_dutch(
    example_data: Any, smtp: Any, client: TestClient
):
    """Empty fields are named each; a tier the staff register does not support and an external
    candidate before the external publication are refused in Dutch; nobody is added."""
    rt = example_data
    rid = _published(rt, smtp, client)
    empty = step(client, rid, "kandidaten", {"categorie": "2"})
    assert empty.status_code == 422
    assert "Vul het personeelsnummer in" in empty.text
    assert "Vul dit in." in empty.text
    wrong = {
        "voornaam": "Sam",
        "achternaam": "Fictief",
        "email": "sam@example.org",
        "categorie": "1",
        "personeelsnummer": "HB-0009",
    }
    answer = step(client, rid, "kandidaten", wrong)
    assert answer.status_code == 422
    said = "Volgens het personeelsbestand is HB-0009 in dienst (categorie 2), niet categorie 1"
    assert said in answer.text
    extern = {**wrong, "categorie": "4", "personeelsnummer": ""}
    answer = step(client, rid, "kandidaten", extern)
    assert "kunnen pas solliciteren als de vacature extern gepubliceerd is" in answer.text
    bad_csv = (
        b"given_name,family_name,email,tier,consent_partners,consent_retention,referred_by\n"
        b",X,geen-adres,9,,,\n"
    )
    answer = step(
        client, rid, "importeren", {"ronde": rid}, files={"bestand": ("k.csv", bad_csv, "text/csv")}
    )
    assert answer.status_code == 422
    assert "Rij 2, kolom" in answer.text
    with rt.factory() as s:
        assert s.scalars(select(Candidate)).all() == []
