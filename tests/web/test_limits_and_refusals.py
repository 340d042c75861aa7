"""The web app's defences that need no scenario record: a chunked body within the limit still
arrives, refusals are counted per source and minute, exactly once each under concurrency (X-4),
the source is a keyed hash (X-3), and a POST's Origin/Referer is judged against the base URL.
tests/reliability/test_hostile.py has the hostile scenarios themselves, with their costs."""

from __future__ import annotations

import http.client
import secrets
import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from poflow.db.base import utcnow
from poflow.db.models import AuditEntry, RefusalTally
from poflow.web import create_app
from poflow.web.guard import same_origin
from poflow.web.refusals import source_of, tally_refusal
from poflow.web.server import WebServer
from poflow.web.service import LinkPages
from tests.reliability.hostile_support import get, rows
from tests.web.support import (
    FORGED,
    SECRET,
    checkin_record_link,
    csrf_of,
    heading,
    login_for_link,
    path_of,
    refused_requests,
)


def test_links_a_chunked_body_within_the_limit_still_reaches_the_page(
    example_data: Any, web_server: WebServer
):
    """A chunked POST under 64 KiB is read whole and judged by the page (here: no CSRF)."""
    from poflow.auth.accounts import add_login
    from poflow.auth.sessions import start_session
    from poflow.web.identity import SESSION_COOKIE

    path = f"/a/{path_of(checkin_record_link(example_data))[3:]}"
    with example_data.factory() as session, session.begin():  # Dirk, logged in (the link needs it)
        add_login(session, "HB-0004", "een-lang-testwachtwoord", totp=False)
        cookie = start_session(session, "HB-0004", "local", utcnow())
    conn = http.client.HTTPConnection(web_server.host, web_server.port, timeout=10)
    try:
        body = iter([b"notitie=", b"a" * 30_000])
        conn.request(
            "POST",
            path,
            body=body,
            encode_chunked=True,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{SESSION_COOKIE}={cookie}",
            },
        )
        response = conn.getresponse()
        assert response.status == 403  # read and parsed: refused by the CSRF check, not 413
        assert "Je bevestiging kon niet worden gecontroleerd" in response.read().decode()
    finally:
        conn.close()


def test_x_4_a_refusal_in_the_next_minute_starts_a_new_row(example_data: Any):
    """The same source, reason and link one minute later is a new bucket with its own
    audit row; within the minute only the count grows."""
    now = utcnow().replace(second=10)
    with example_data.factory() as session:
        for moment in (now, now + timedelta(seconds=30), now + timedelta(minutes=1)):
            tally_refusal(
                session, source="s1", reason="forged", method="GET", row=None, token="t", now=moment
            )
        session.commit()
        counts = session.scalars(select(RefusalTally.count).order_by(RefusalTally.minute)).all()
    assert counts == [2, 1]
    assert rows(example_data)[0] == 2


def test_x_4_concurrent_refusals_over_http_are_each_counted_once(
    example_data: Any, web_server: WebServer
):
    """Eight clients refused 40 times each at once: every refusal counted, and each bucket
    audited exactly once (the upsert serialises the first refusal of a bucket)."""
    before = len(refused_requests(example_data))

    def flood() -> None:
        for _ in range(40):
            get(web_server.host, web_server.port, f"/a/{secrets.token_urlsafe(40)}.x")

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audits, tally, counted = rows(example_data)
    assert counted == before + 320
    assert len(refused_requests(example_data)) == counted  # one audit row for each bucket
    assert audits == tally <= 3  # the warm-up's bucket, and one a minute since


def test_x_3_the_source_is_a_keyed_hash_and_no_address_is_stored(example_data: Any):
    """The source names a client by a hash keyed with POFLOW_SECRET_KEY; the address itself
    is in no audit or tally row (X-3)."""
    pages = LinkPages(example_data)
    pages.show(FORGED, None, "192.0.2.55")
    assert source_of(SECRET, "192.0.2.55") != source_of("another key", "192.0.2.55")
    with example_data.factory() as session:
        stored = [repr(a.detail) for a in session.scalars(select(AuditEntry))]
        stored += [repr(t.source) for t in session.scalars(select(RefusalTally))]
    assert not [s for s in stored if "192.0.2.55" in s]
    assert any(source_of(SECRET, "192.0.2.55") in s for s in stored)


# -- a POST's Origin (or Referer) against the base URL ------------------------------------------
BASE = "https://poflow.gemeente.example"


@pytest.mark.parametrize(
    ("origin", "referer", "verdict"),
    [
        (BASE, None, True),
        ("HTTPS://POFLOW.gemeente.example:443", None, True),  # case and the default port
        (None, f"{BASE}/a/token?x=1", True),  # no Origin: the Referer's origin counts
        (None, None, None),  # neither: the CSRF check decides alone
        (None, "", None),  # an emptied Referer counts as none
        ("null", None, False),  # a sandboxed page, or a page with no-referrer
        ("https://evil.example", f"{BASE}/a/token", False),  # Origin wins over Referer
        ("http://poflow.gemeente.example", None, False),  # another scheme
        ("https://poflow.gemeente.example:8443", None, False),  # another port
        ("https://poflow.gemeente.example.evil.example", None, False),
        ("https://poflow.gemeente.example:443.evil.example", None, False),  # not a port
        (None, "https://evil.example/page", False),
        ("", None, False),
    ],
)
def test_links_a_posts_origin_is_judged_against_the_base_url(
    origin: str | None, referer: str | None, verdict: bool | None
):
    """same_origin is True only for the base URL's scheme, host and port; None without
    either header; False for anything else, "null" included."""
    assert same_origin(BASE + "/", origin, referer) is verdict


@pytest.mark.parametrize("header", ["Origin", "Referer"])
def test_links_a_same_origin_post_works(hardenberg: Any, header: str):
    """Pressing the button with the base URL's Origin (or, without one, a same-origin Referer)
    records the talk, as a browser on poflow's own page does."""
    base = hardenberg.settings.resolved_base_url()
    link = path_of(checkin_record_link(hardenberg))
    with TestClient(create_app(hardenberg.settings)) as client:
        login_for_link(client, link)
        page = client.get(link)
        sent = {header: base if header == "Origin" else f"{base}{link}"}
        done = client.post(link, data={"csrf": csrf_of(page.text)}, headers=sent)
    assert (done.status_code, heading(done.text)) == (200, "Vastgelegd")
    assert refused_requests(hardenberg) == []
