"""A round's step pages in headless Chromium (issue 21, item 5): P&O writes the vacancy text
(first too short), adds a candidate and records a standing, plans a koffiemoment; the MT-lid
selects, passing over a higher tier first without a reason (REC-4). Every page passes axe-core
(WCAG 2.1 A/AA) and is photographed for docs/screenshots/ on a desktop and a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.recruitment.support import MT_MAIL, PO_MAIL, approve_by_mail, send
from tests.recruitment.support import open_round as open_example_round
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in
from tests.web.test_werving_steps import TEXT

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_po_and_the_mt_lid_take_a_rounds_steps_in_a_browser(
    site: Any, smtp: Any, chromium: Any, viewport: str
):
    """P&O and the MT-lid walk the step forms; axe-core finds nothing on any page."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    rid = open_example_round(site, formation_change=False)
    base = site.settings.resolved_base_url()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for person in ("HB-0002", "HB-0004"):
        give_login(site, person)
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/werving/{rid}")
    log_in(page, "HB-0002")
    check_page(page, "werving-stappen")
    page.get_by_role("link", name="Vacaturetekst vastleggen").click()
    page.get_by_label("Vacaturetekst (verplicht)").fill("Te kort")
    page.get_by_role("button", name="Tekst ter bevestiging sturen").click()
    assert page.locator(".samenvatting").is_visible()
    check_page(page, "werving-vacaturetekst-fout")
    page.get_by_label("Vacaturetekst (verplicht)").fill(TEXT)
    page.get_by_role("button", name="Tekst ter bevestiging sturen").click()
    assert "De vacaturetekst is vastgelegd" in page.locator("main").inner_text()
    send(site)
    approve_by_mail(site, smtp, PO_MAIL, "Vacaturetekst")
    approve_by_mail(site, smtp, MT_MAIL, "Vacaturetekst")
    page.goto(f"{base}/werving/{rid}")  # no flow run: P&O applies the decisions here
    page.get_by_role("link", name="Besluiten verwerken").click()
    check_page(page, "werving-verwerken")
    page.get_by_role("button", name="Besluiten verwerken").click()
    assert "De genomen besluiten zijn verwerkt" in page.locator("main").inner_text()
    send(site)
    page.goto(f"{base}/werving/{rid}/kandidaten")
    check_page(page, "werving-kandidaten")
    page.get_by_label("Personeelsnummer (verplicht)").fill("HB-0011")
    page.get_by_label("Werkt hier als (verplicht)").select_option("inleen")
    page.get_by_role("button", name="Dienstverband vastleggen").click()
    assert "Het dienstverband is vastgelegd" in page.locator("main").inner_text()
    for given, tier, emp in (("Lotte", "2", "HB-0009"), ("Sven", "3", "HB-0011")):
        page.goto(f"{base}/werving/{rid}/kandidaten")
        page.get_by_label("Voornaam (verplicht)").fill(given)
        page.get_by_label("Achternaam (verplicht)").fill("Testpersoon")
        page.get_by_label("E-mailadres (verplicht)").fill(f"{given.lower()}@example.org")
        page.get_by_label("Categorie (voorkeursbeleid) (verplicht)").select_option(tier)
        page.get_by_label("Personeelsnummer", exact=True).fill(emp)
        page.get_by_role("button", name="Kandidaat toevoegen").click()
        assert "De kandidaat is toegevoegd" in page.locator("main").inner_text()
    page.goto(f"{base}/werving/{rid}/koffiemoment")
    check_page(page, "werving-koffiemoment")
    context.close()
    mt = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = mt.new_page()
    page.goto(f"{base}/werving/{rid}/selecteren")
    log_in(page, "HB-0004")
    check_page(page, "werving-selecteren")
    page.get_by_label("Sven Testpersoon", exact=False).check()
    page.get_by_role("button", name="Selectie voorleggen aan P&O").click()
    assert "Geef een reden om kandidaat" in page.locator("main").inner_text()
    check_page(page, "werving-selecteren-reden")
    page.get_by_label("Reden om Lotte Testpersoon over te slaan").fill("Voldoet niet aan de eisen")
    page.get_by_role("button", name="Selectie voorleggen aan P&O").click()
    assert "De selectie is voorgesteld" in page.locator("main").inner_text()  # REC-5: P&O confirms
    mt.close()
