"""Adding people in the workspace, in headless Chromium (issue 21, item 3): the P&O adviser
fills in the new-hire form (first with mistakes), uploads a hires file, reads its dry run and
confirms it. Every page is checked with axe-core (0 violations of WCAG 2.1 A/AA) and
photographed for docs/screenshots/ on a desktop and a phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from poflow.db.models import Hire
from poflow.kernel.calendar import today
from tests.web.browser import SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in
from tests.web.test_workspace_add import HEADER, hire_line, saturday, working_day

pytestmark = pytest.mark.browser

ADVISER = "HB-0002"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_po_adviser_adds_a_colleague_and_imports_a_file(
    site: Any, chromium: Any, viewport: str, tmp_path: Path
):
    """The form shows its errors per field, the upload's preview lists rows and errors, and
    confirming imports the good rows."""
    give_login(site, ADVISER)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    base = site.settings.resolved_base_url()
    page.goto(f"{base}/medewerkers/nieuw")
    log_in(page, ADVISER)
    assert page.locator("h1").inner_text() == "Nieuwe medewerker toevoegen"
    check_page(page, "werkplek-nieuwe-medewerker")

    page.get_by_label("Voornaam").fill("Saar")
    page.get_by_label("Achternaam").fill("van Dongen")
    page.get_by_label("Privé-e-mailadres").fill("saar.vandongen@example.org")
    page.get_by_label("E-mailadres op het werk").fill("saar.vandongen@hardenberg.example.nl")
    page.get_by_label("Team").fill("Ruimtelijk domein")
    page.get_by_label("Functie").fill("Planoloog")
    page.get_by_label("Leidinggevende").select_option("HB-0004")
    page.get_by_label("Buddy").select_option("HB-0005")
    page.get_by_label("Soort contract").select_option("tijdelijk")
    page.get_by_label("Eerste werkdag").fill(saturday().isoformat())
    page.get_by_role("button", name="Medewerker toevoegen").click()
    page.wait_for_load_state()
    summary = page.locator(".samenvatting").inner_text()
    assert "Duur van het contract in maanden: is leeg" in summary
    assert "is geen werkdag (zaterdag)" in summary
    check_page(page, "werkplek-nieuwe-medewerker-fouten")
    page.get_by_label("Duur van het contract in maanden").fill("12")
    page.get_by_label("Eerste werkdag").fill(working_day().isoformat())
    page.get_by_role("button", name="Medewerker toevoegen").click()
    page.wait_for_load_state()
    hire_id = f"NH-{today().year}-001"
    assert page.url == f"{base}/medewerkers/{hire_id}"  # the hire's page (WS-OVERVIEW)

    page.goto(f"{base}/medewerkers/importeren")
    assert page.locator("h1").inner_text() == "Bestand importeren"
    check_page(page, "werkplek-importeren")
    upload = tmp_path / "nieuwe-medewerkers.csv"
    lines = [
        HEADER,
        hire_line("NH-2030-010", "Tim"),
        hire_line("NH-2030-011", "Vera", manager_id="HB-9999"),
    ]
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page.get_by_label("Nieuwe medewerkers").check()
    page.get_by_label("Bestand", exact=False).last.set_input_files(str(upload))
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Voorbeeld van de import"
    assert "HB-9999" in page.locator("table").first.inner_text()
    check_page(page, "werkplek-importeren-voorbeeld")
    page.get_by_role("button", name="Importeer 1 rij").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Import klaar"
    check_page(page, "werkplek-importeren-klaar")
    with site.factory() as session:
        found = set(session.scalars(select(Hire.id).where(Hire.id.like("NH-20%"))))
    assert {hire_id, "NH-2030-010"} <= found
    assert "NH-2030-011" not in found
    assert working_day() > today() + timedelta(days=1)
    context.close()
