"""WS-CYCLE in headless Chromium (issue 21, item 6): a P&O adviser starts an employee's
conversation cycle on a chosen date, plans an extra appraisal and sees the decision refused
while it is open (GES-5), finds the cycle in the list; enrols a stage hire in the introduction
programme, adds a role item, records an e-learning done and uploads a completions file with a
mistake. Every page passes axe-core (WCAG 2.1 A/AA) and is photographed for docs/screenshots/
on a desktop and a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from poflow.kernel.calendar import today
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in

pytestmark = pytest.mark.browser
PO = "HB-0002"


def _cycle(page: Any, base: str) -> None:
    """Start Esra's cycle, plan an extra appraisal, see the decision refused, find the list."""
    page.goto(f"{base}/gesprekken/HB-0005")
    assert page.locator("h1").inner_text() == "Gesprekscyclus van Esra Yilmaz"
    check_page(page, "gesprekken-medewerker-starten")
    page.get_by_label("Datum van het eerste richtgesprek").fill(
        (today() + timedelta(days=30)).isoformat()
    )
    page.get_by_label("Leidinggevende (verplicht)", exact=True).select_option("HB-0004")
    page.get_by_role("button", name="Cyclus starten").click()
    assert "verplicht voor een medewerker in dienst" in page.locator(".samenvatting").inner_text()
    check_page(page, "gesprekken-medewerker-fouten")
    page.get_by_label("In dienst sinds").fill("2015-04-01")
    page.get_by_role("button", name="Cyclus starten").click()
    assert "De gesprekscyclus is gestart" in page.locator("main").inner_text()
    page.get_by_label("Besluit (verplicht)").select_option("promotie")
    page.get_by_label("Datum van het extra beoordelingsgesprek").fill(
        (today() + timedelta(days=10)).isoformat()
    )
    page.get_by_role("button", name="Extra beoordelingsgesprek plannen").click()
    assert "Het extra beoordelingsgesprek is gepland" in page.locator("main").inner_text()
    check_page(page, "gesprekken-medewerker")
    page.get_by_role("button", name="Besluit 1 vastleggen").click()
    assert "nog niet worden vastgelegd" in page.locator(".samenvatting").inner_text()
    check_page(page, "gesprekken-besluit-geweigerd")
    page.goto(f"{base}/gesprekken")
    check_page(page, "gesprekken-cycli")
    page.get_by_role("link", name="Esra Yilmaz").click()
    assert page.locator("h1").inner_text() == "Gesprekscyclus van Esra Yilmaz"


def _introduction(page: Any, base: str) -> None:
    """Enrol the stage hire, add a role item, record an e-learning, upload a bad file."""
    page.goto(f"{base}/introductie")
    check_page(page, "introductie-aan-te-melden")  # the stage and the inhuur, once planned
    page.get_by_role("link", name="Noor Bakker").click()
    assert page.locator("h1").inner_text() == "Introductieprogramma van Noor Bakker"
    page.goto(f"{base}/introductie")
    page.get_by_label("Nummer van de nieuwe medewerker").fill("NH-2027-003")
    page.get_by_role("button", name="Openen").click()
    assert page.locator("h1").inner_text() == "Introductieprogramma van Noor Bakker"
    check_page(page, "introductie-aanmelden")
    page.get_by_label("Variant van het programma").select_option("volledig")
    page.get_by_role("button", name="Aanmelden").click()
    assert "doet mee aan het introductieprogramma" in page.locator("main").inner_text()
    page.get_by_label("Wat is afgesproken").fill("Cursus Omgevingswet")
    page.get_by_label("Uiterlijk klaar op").fill((today() + timedelta(days=150)).isoformat())
    page.get_by_role("button", name="Punt toevoegen").click()
    page.get_by_label("Onderdeel (verplicht)").select_option("infoveiligheid")
    page.get_by_role("button", name="Afronden").click()
    assert "Het onderdeel is afgerond." in page.locator("main").inner_text()
    assert "BVD-NH-2027-003-infoveiligheid" in page.locator("main").inner_text()
    check_page(page, "introductie-portfolio")
    page.goto(f"{base}/introductie")
    page.get_by_label("Export van het leerplatform").set_input_files(
        files=[
            {
                "name": "leerplatform.csv",
                "mimeType": "text/csv",
                "buffer": b"hire_id,module,completed_on\nNH-2027-003,zwemles,2026-01-05\n",
            }
        ]
    )
    page.get_by_role("button", name="Inlezen").click()
    assert "zwemles is geen e-learning" in page.locator(".samenvatting").inner_text()
    check_page(page, "introductie-elearning-fouten")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_po_steers_the_cycle_and_the_introduction_in_a_browser(
    site: Any, chromium: Any, viewport: str
):
    """P&O walks every WS-CYCLE page and form; axe-core finds nothing on any page."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    base = site.settings.resolved_base_url()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    give_login(site, PO)
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/gesprekken")
    log_in(page, PO)
    assert page.locator("h1").inner_text() == "Gesprekscyclus"
    _cycle(page, base)
    site.plan("hardenberg", today())  # the aanvullende groep's hires are offered, not enrolled
    _introduction(page, base)
    context.close()
