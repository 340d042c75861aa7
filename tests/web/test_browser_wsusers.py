"""Logins in the workspace in Chromium (issue 21): a P&O adviser gives a colleague a login on
/gebruikers, the colleague chooses a password (with an authenticator app) on the activation
page from the mail, and the adviser checks the audit chain; every page passes axe-core on
desktop and phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in

pytestmark = pytest.mark.browser

ESRA = "esra.yilmaz@hardenberg.example.nl"  # HB-0005, no login yet
LINK = re.compile(r"https?://[^\s\"<>]+/a/[A-Za-z0-9_.\-]+")


def _activation_link(smtp: Any) -> str:
    mails = [m for m in smtp.to(ESRA) if "wachtwoord" in str(m["Subject"])]
    assert mails, smtp.subjects()
    body = mails[-1].get_body(preferencelist=("plain",))
    assert body is not None
    [link] = LINK.findall(body.get_content())
    return link


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_x_4_logins_in_the_browser(site: Any, chromium: Any, smtp: Any, viewport: str):
    """Bram (P&O) gives Esra a login; Esra chooses her password by the link and sees her
    authenticator key once; Bram checks the audit chain: every page passes axe-core."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    give_login(site, "HB-0002")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = site.settings.resolved_base_url()
    # axe is injected as a script: the context lets it past the app's strict CSP
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/gebruikers")
    log_in(page, "HB-0002")
    assert page.locator("h1").inner_text() == "Inloggen van medewerkers van Gemeente Hardenberg"
    page.get_by_role("button", name="Inlog geven voor Esra Yilmaz").click()
    page.wait_for_selector("text=Esra Yilmaz krijgt een mail")
    check_page(page, "werkplek-gebruikers")

    person = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    esra = person.new_page()
    esra.goto(_activation_link(smtp))
    assert esra.locator("h1").inner_text() == "Wachtwoord kiezen: Esra Yilmaz"
    check_page(esra, "activeren")
    esra.locator("#veld-wachtwoord").fill("een zin die alleen Esra kent")
    esra.locator("#veld-wachtwoord_nogmaals").fill("een zin die alleen Esra kent")
    esra.get_by_label("Ja, ik stel een authenticator-app in").check()
    esra.get_by_role("button", name="Wachtwoord opslaan").click()
    esra.wait_for_load_state()
    assert esra.locator("h1").inner_text() == "Vastgelegd"
    assert "otpauth://totp/" in esra.locator("main").inner_text()
    check_page(esra, "activeren-klaar")
    person.close()

    page.goto(f"{base}/audit")
    page.get_by_role("button", name="Controleer de keten").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Controle van de auditketen van Gemeente Hardenberg"
    assert "In orde" in page.locator("main").inner_text()
    check_page(page, "werkplek-auditcontrole")
    context.close()
