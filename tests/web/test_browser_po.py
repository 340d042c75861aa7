"""P&O's workspace pages in Chromium (issue 21, item 7): the audit trail, the mail gallery and
the outgoing mail with its retry button, each passing axe-core on desktop and phone, and the
framed mail shown under the app's own strict CSP."""

from __future__ import annotations

from typing import Any

import pytest

from poflow.db.models import Outbox
from poflow.states import MailState
from tests.mail.poison import outbox, queue
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in

pytestmark = pytest.mark.browser


def _mail_states(rt: Any) -> int:
    """A waiting, a failed, a parked and a sent message of Hardenberg; the parked one's id."""
    ids = {
        state: queue(rt, f"browser-{state}", f"{state}@example.org", name=f"Anne {state.title()}")
        for state in ("wacht", "mislukt", "geparkeerd", "verstuurd")
    }
    with rt.factory() as session, session.begin():
        failed = session.get(Outbox, ids["mislukt"])
        failed.last_error, failed.attempts = "SMTPServerDisconnected: verbinding verbroken", 1
        parked = session.get(Outbox, ids["geparkeerd"])
        parked.state, parked.last_error = MailState.PARKED, "SMTPRecipientsRefused: 550"
        session.get(Outbox, ids["verstuurd"]).state = MailState.SENT
    return ids["geparkeerd"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_x_4_po_pages_in_the_browser(site: Any, chromium: Any, viewport: str):
    """Bram (P&O) logs in, filters the audit trail, reads a mail of the gallery and sends a
    parked message again with the button; every page passes axe-core."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    parked = _mail_states(site)
    give_login(site, "HB-0002")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = site.settings.resolved_base_url()
    # axe is injected as a script: the context lets it past the app's strict CSP
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/audit")
    log_in(page, "HB-0002")
    assert page.locator("h1").inner_text() == "Audit van Gemeente Hardenberg"
    check_page(page, "werkplek-audit")
    page.get_by_label("Persoon").fill("HB-0002")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_load_state()
    assert "HB-0002" in page.locator("table").inner_text()
    page.goto(f"{base}/mails")
    assert page.locator("h1").inner_text() == "Alle mails van Gemeente Hardenberg"
    check_page(page, "werkplek-mails")
    page.get_by_role("link", name="onboarding/welkom_prive").click()
    page.wait_for_load_state()
    assert "Beste " in page.locator("pre").inner_text()
    check_page(page, "werkplek-mail")
    page.goto(f"{base}/mails/uitgaand")
    assert page.locator("h1").inner_text() == "Uitgaande mail van Gemeente Hardenberg"
    check_page(page, "werkplek-uitgaand")
    page.get_by_role("button", name="Opnieuw versturen").click()
    page.wait_for_selector(f"text=Bericht {parked} staat weer klaar")
    context.close()
    assert outbox(site, parked).state is MailState.QUEUED


def test_the_framed_mail_shows_under_the_strict_csp(site: Any, chromium: Any):
    """Without bypassing the CSP, the gallery's frame shows the rendered mail."""
    give_login(site, "HB-0002")
    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(f"{site.settings.resolved_base_url()}/mails/voorbeeld/onboarding/welkom_prive")
    log_in(page, "HB-0002")
    frame = page.frame_locator("iframe.mailvoorbeeld")
    assert "Beste " in frame.locator("body").inner_text()
    context.close()
