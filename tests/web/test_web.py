"""Tests of the link pages (poflow/web): refusals, GET without effect, CSRF, input, privacy."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from poflow.db.base import utcnow
from poflow.db.models import AuditEntry, Step
from poflow.hires.services import cancel_hire
from poflow.links import ActionLink
from poflow.states import StepState
from poflow.web import create_app, serve_web_in_thread
from tests.web.support import (
    RECORD_DAY,
    checkin_record_link,
    csrf_of,
    heading,
    login_for_link,
    path_of,
    refused_requests,
    snapshot,
)

PO_MAILBOX = "po@hardenberg.example.nl"


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c


@pytest.fixture
def link(hardenberg: Any, client: TestClient) -> str:
    """The path of Dirk's "gesprek heeft plaatsgevonden" link for NH-2027-001's first talk; the
    client is logged in as Dirk (the action needs his login)."""
    path = path_of(checkin_record_link(hardenberg))
    login_for_link(client, path)
    return path


def refusals(rt: Any) -> list[dict[str, Any]]:
    """The details of every refused request recorded, oldest first (one entry per request)."""
    return refused_requests(rt)


def first_talk(rt: Any) -> Step:
    with rt.factory() as session:
        return session.scalars(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()


def link_row(rt: Any) -> ActionLink:
    with rt.factory() as session:
        return session.scalars(
            select(ActionLink).where(
                ActionLink.action == "checkin.held", ActionLink.case_id == "NH-2027-001"
            )
        ).one()


def confirm(client: TestClient, path: str, **form: str) -> httpx.Response:
    """Log in as the link's person, open the page, then press its button with `form`."""
    login_for_link(client, path)
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf": csrf_of(page.text), **form})


# -- refused links: the right Dutch page, nothing changed, audited (X-4) -------------------------
def test_x4_forged_link_gets_the_dutch_invalid_page_and_is_audited(
    hardenberg: Any, client: TestClient, link: str
):
    """A token poflow never made is refused as not valid, on GET and POST, and both are audited."""
    before = snapshot(hardenberg)
    forged = "/a/eyJsIjoiMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAifQ.bm90LXNpZ25lZC1ieS11cw"
    get = client.get(forged)
    post = client.post(forged, data={"csrf": "0" * 64, "notitie": "x"})
    assert (get.status_code, post.status_code) == (400, 400)
    assert heading(get.text) == heading(post.text) == "Deze link is niet geldig"
    assert "Er is niets gewijzigd." in get.text
    assert "afdeling P&amp;O van je gemeente" in get.text
    assert [(r["reason"], r["method"], r["entity"]) for r in refusals(hardenberg)] == [
        ("forged", "GET", "unknown"),
        ("forged", "POST", "unknown"),
    ]
    after = snapshot(hardenberg)
    assert len(after.pop("audit")) == len(before.pop("audit")) + 2  # GET and POST: two buckets
    after.pop("refusal_tally"), before.pop("refusal_tally")
    assert after == before


def test_x4_altered_link_is_named_altered_and_points_to_the_municipalitys_po(
    hardenberg: Any, client: TestClient, link: str
):
    """A real link with a changed or cut-off signature is refused as altered, naming P&O."""
    cut = link.rindex(".") + 6  # a character inside the signature (not its padding bits)
    changed = link[:cut] + ("A" if link[cut] != "A" else "B") + link[cut + 1 :]
    for altered in (link[:-4], changed):
        page = client.get(altered)
        assert page.status_code == 400
        assert heading(page.text) == "Deze link is gewijzigd of onvolledig"
        assert "Gemeente Hardenberg" in page.text
        assert PO_MAILBOX in page.text
    row = link_row(hardenberg)
    assert [(r["reason"], r["entity"]) for r in refusals(hardenberg)] == [
        ("altered", str(row.id))
    ] * 2
    assert row.used_at is None
    assert first_talk(hardenberg).state == StepState.OPEN


def test_x4_expired_link_is_refused_as_expired(hardenberg: Any, client: TestClient, link: str):
    """A link past its expiry shows the expired page with its end date; the button does nothing."""
    with hardenberg.factory() as session, session.begin():
        session.execute(update(ActionLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    page = client.get(link)
    post = client.post(link, data={"csrf": "0" * 64})
    assert (page.status_code, post.status_code) == (410, 410)
    assert heading(page.text) == "Deze link is verlopen"
    assert "geldig tot" in page.text
    assert [r["reason"] for r in refusals(hardenberg)] == ["expired", "expired"]
    assert first_talk(hardenberg).state == StepState.OPEN


def test_x4_reused_link_is_refused_as_used(hardenberg: Any, client: TestClient, link: str):
    """The second press of a used link shows "al gebruikt" and keeps the first answer."""
    assert heading(confirm(client, link, notitie="Eerste keer").text) == "Vastgelegd"
    again = client.post(link, data={"csrf": "0" * 64, "notitie": "Tweede keer"})
    reopened = client.get(link)
    assert again.status_code == reopened.status_code == 410
    assert heading(again.text) == heading(reopened.text) == "Deze link is al gebruikt"
    assert first_talk(hardenberg).note == "Eerste keer"
    assert [r["reason"] for r in refusals(hardenberg)] == ["used", "used"]


def test_onb_5_link_of_a_cancelled_hire_is_refused_as_revoked(
    hardenberg: Any, client: TestClient, link: str
):
    """Cancelling the hire revokes its open links: the page says so and nothing is recorded."""
    with hardenberg.factory() as session, session.begin():
        cancel_hire(session, "NH-2027-001", actor="HB-0002", today=RECORD_DAY)
    page = client.get(link)
    assert page.status_code == 410
    assert heading(page.text) == "Deze link is ingetrokken"
    assert PO_MAILBOX in page.text
    assert refusals(hardenberg)[0]["reason"] == "revoked"
    assert link_row(hardenberg).used_at is None


# -- GET changes nothing; POST needs CSRF and valid input ------------------------------------------
def test_x4_a_bare_get_changes_nothing(example_data: Any):
    """Opening a valid link (three times, as mail scanners do) leaves every table as it was."""
    link = path_of(checkin_record_link(example_data))
    with TestClient(create_app(example_data.settings)) as client:
        login_for_link(client, link)
        before = snapshot(example_data)
        for _ in range(3):
            page = client.get(link)
            assert page.status_code == 200
            assert heading(page.text) == "Gevoerd bijpraatmoment vastleggen"
    assert snapshot(example_data) == before


def test_x4_post_without_a_valid_csrf_token_is_refused(
    hardenberg: Any, client: TestClient, link: str
):
    """A POST with no token, a made-up one, or without the page's cookie changes nothing."""
    with TestClient(create_app(hardenberg.settings)) as stranger:  # no cookie of this page
        login_for_link(stranger, link)
        before = snapshot(hardenberg)
        page_csrf = csrf_of(client.get(link).text)
        assert client.post(link, data={"notitie": "x"}).status_code == 403
        assert client.post(link, data={"csrf": "f" * 64}).status_code == 403
        refused = stranger.post(link, data={"csrf": page_csrf})
    assert refused.status_code == 403
    assert heading(refused.text) == "Je bevestiging kon niet worden gecontroleerd"
    assert [r["reason"] for r in refusals(hardenberg)] == ["csrf"] * 3
    after = snapshot(hardenberg)
    after.pop("audit"), before.pop("audit")
    after.pop("refusal_tally"), before.pop("refusal_tally")
    assert after == before


def test_chk_2_overlong_note_gets_a_dutch_error_and_changes_nothing(
    hardenberg: Any, client: TestClient, link: str
):
    """A note over 2000 characters is refused with a clear message; the link stays usable."""
    before = snapshot(hardenberg)
    page = confirm(client, link, notitie="x" * 2001)
    assert page.status_code == 422
    assert "maximaal 2000 tekens. Je hebt er 2001 ingevuld." in page.text
    assert 'aria-invalid="true"' in page.text
    assert "Er is nog niets gewijzigd." in page.text
    assert snapshot(hardenberg) == before
    assert heading(confirm(client, link, notitie="Kort").text) == "Vastgelegd"


def test_x3_note_is_stored_but_never_logged_or_audited(
    hardenberg: Any, client: TestClient, link: str, caplog: pytest.LogCaptureFixture
):
    """The note reaches the step only: no log line and no audit row carries its text."""
    note = "Vertrouwelijk: zorgen over werkdruk"
    with caplog.at_level(logging.DEBUG):
        assert heading(confirm(client, link, notitie=note).text) == "Vastgelegd"
    talk = first_talk(hardenberg)
    assert (talk.state, talk.note, talk.done_by) == (StepState.DONE, note, "HB-0004")
    assert note not in caplog.text
    assert "werkdruk" not in caplog.text
    with hardenberg.factory() as session:
        audits = list(session.scalars(select(AuditEntry)))
    assert not [a for a in audits if "werkdruk" in str(a.detail)]
    assert "link.used" in {a.action for a in audits}


# -- the page itself ---------------------------------------------------------------------------
def test_pages_are_dutch_accessible_and_name_the_municipality(client: TestClient, link: str):
    """The page is lang=nl, labels its field, names Hardenberg and sends safe headers."""
    page = client.get(link)
    assert '<html lang="nl">' in page.text
    assert 'name="viewport"' in page.text
    assert '<label for="veld-notitie">' in page.text
    assert 'id="veld-notitie"' in page.text
    assert "Gemeente Hardenberg" in page.text
    assert PO_MAILBOX in page.text
    assert page.headers["referrer-policy"] == "same-origin"  # the token goes to no other site
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie
    assert "httponly" in cookie
    assert "path=/a/" in cookie
    assert client.get("/static/poflow.css").headers["content-type"].startswith("text/css")
    missing = client.get("/niets")
    assert missing.status_code == 404
    assert heading(missing.text) == "Pagina niet gevonden"


def test_healthz_and_the_server_thread_answer_on_a_free_loopback_port(hardenberg: Any):
    """serve_web_in_thread binds loopback, /healthz says ok, and stop() ends it."""
    server = serve_web_in_thread(hardenberg.settings, port=0)
    try:
        assert server.host == "127.0.0.1"
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    finally:
        server.stop()
    assert not server.thread.is_alive()


def test_poflow_web_command_is_registered():
    """`poflow web --help` offers the host and port options."""
    from poflow.cli import app

    result = CliRunner().invoke(app, ["web", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output
    assert "--port" in result.output


def test_form_values_are_checked_for_type_length_required_and_choice():
    """validate_form gives a Dutch error per bad field and passes good values through."""
    from poflow.links import FormField
    from poflow.web.forms import validate_form

    fields = (
        FormField(
            "keuze", "Keuze", kind="select", required=True, choices=(("ja", "Ja"), ("nee", "Nee"))
        ),
        FormField("datum", "Datum", kind="date"),
        FormField("naam", "Naam", max_length=5),
        FormField("notitie", "Notitie", kind="textarea"),
    )
    values, errors = validate_form(
        fields, {"keuze": ["ja"], "datum": ["2027-03-01"], "naam": [" Noa "], "notitie": ["a\r\nb"]}
    )
    assert errors == {}
    assert values == {
        "keuze": "ja",
        "datum": "2027-03-01",
        "naam": "Noa",
        "notitie": "a\nb",
    }
    _, errors = validate_form(
        fields,
        {
            "keuze": ["misschien"],
            "datum": ["1-3-2027"],
            "naam": ["Annemarie"],
            "notitie": ["x\x00y", "z"],
        },
    )
    assert errors == {
        "keuze": "Keuze: kies een van de mogelijkheden.",
        "datum": "Datum: vul een datum in als JJJJ-MM-DD, bijvoorbeeld 2027-03-01.",
        "naam": "Naam: maximaal 5 tekens. Je hebt er 9 ingevuld.",
        "notitie": "Notitie: dit veld is meer dan eens of verkeerd verstuurd.",
    }
    assert validate_form(fields, {"notitie": ["x\x00y"]})[1] == {
        "keuze": "Keuze: dit is verplicht.",
        "notitie": "Notitie: bevat tekens die niet zijn toegestaan.",
    }


def test_a_web_worker_starts_while_postgresql_is_down_and_healthz_says_so(hardenberg: Any):
    """A worker opens its connections at start-up (fill_pool); with PostgreSQL unreachable it
    still starts, and /healthz answers 503 instead of the worker dying at start."""
    from poflow.localpg import free_port

    down = f"postgresql+psycopg://poflow@127.0.0.1:{free_port()}/poflow"
    settings = hardenberg.settings.model_copy(update={"database_url": down})
    with TestClient(create_app(settings)) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "database unavailable"}
