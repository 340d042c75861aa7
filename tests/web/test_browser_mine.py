"""'Mijn werk' and the page before day one in headless Chromium (issue 21, items 4 and 8): a
leidinggevende and a buddy log in and land on /werk, the buddy opens an item from there and
marks it done without the mail, and the new colleague opens the link in the welcome mail and
confirms their details without a login. Every page passes axe-core (WCAG 2.1 A/AA) and is
photographed for docs/screenshots/ on a desktop and a phone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from poflow.runtime import run_day
from tests.conftest import SmtpRecorder
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in
from tests.web.support import link_in_mail

pytestmark = pytest.mark.browser

PLAN_DAY, WELCOME_DAY = date(2027, 1, 4), date(2027, 1, 25)  # see tests/web/test_my_work.py


def _fits(page: Any) -> None:
    """Nothing widens the page beyond the screen (wide tables scroll in their own box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _logged_in(chromium: Any, site: Any, viewport: str, person_id: str) -> Any:
    """A fresh browser context (axe may pass the CSP) logged in as `person_id` through /."""
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(site.settings.resolved_base_url() + "/")
    log_in(page, person_id)
    assert page.locator("h1").inner_text() == "Mijn werk"
    return page


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_my_work_as_leidinggevende_and_buddy_and_the_page_before_day_one(
    site: Any, smtp: SmtpRecorder, chromium: Any, viewport: str
):
    """Dirk sees his new colleagues, Esra marks a buddy item done from /werk, and Lotte
    confirms her details on the page from her welcome mail; axe-core finds nothing."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run_day(site, PLAN_DAY, municipality="hardenberg")
    run_day(site, WELCOME_DAY, municipality="hardenberg")
    for person in ("HB-0004", "HB-0005"):
        give_login(site, person)

    dirk = _logged_in(chromium, site, viewport, "HB-0004")
    assert dirk.get_by_role("heading", name="Mijn nieuwe collega's").is_visible()
    assert "Lotte Hendriks" in dirk.locator("main").inner_text()
    check_page(dirk, "werk-leidinggevende")
    _fits(dirk)
    dirk.context.close()

    esra = _logged_in(chromium, site, viewport, "HB-0005")
    assert esra.get_by_role("heading", name="Jij bent buddy").is_visible()
    check_page(esra, "werk-buddy")
    _fits(esra)
    esra.locator('a[href^="/werk/punt/"]').first.click()
    esra.wait_for_load_state()
    assert esra.locator("h1").inner_text().startswith("Punt afvinken")
    esra.get_by_role("button", name="Punt afvinken").click()
    esra.wait_for_selector("text=staat nu op afgerond")
    esra.context.close()

    welcome = next(
        m for m in smtp.to("lotte.hendriks@example.org") if "Welkom bij" in str(m["Subject"])
    )
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    lotte = context.new_page()
    lotte.goto(link_in_mail(welcome))
    assert lotte.locator("h1").inner_text().startswith("Je eerste werkdag")
    assert "Esra Yilmaz" in lotte.locator("main").inner_text()
    check_page(lotte, "eerste-werkdag")
    _fits(lotte)
    lotte.get_by_label("Ja, alles klopt").check()
    lotte.get_by_role("button", name="Gegevens bevestigen").click()
    lotte.wait_for_selector("text=je gegevens kloppen")
    check_page(lotte, "eerste-werkdag-bevestigd")
    context.close()
