"""A hire's actions in Chromium (issue 21, item 2's actions): the P&O adviser moves Noor's start
date (form, a refused date, the preview, confirmed), marks an item done on its owner's behalf,
gives her a new buddy and a new leidinggevende, and cancels her hire; after each the hire's
page says what was done. axe-core finds nothing on any page, desktop and phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from poflow.db.models import Hire, Person
from poflow.kernel.wording import date_nl
from tests.web.actions_support import NOOR, later_working_day, noor_starts_soon
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in
from tests.web.support import add_person

pytestmark = pytest.mark.browser


def _hire(rt: Any) -> Hire:
    with rt.factory() as db:
        hire = db.get(Hire, NOOR)
        assert hire is not None
        return hire


def _press(page: Any, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def _back_on_the_hire_page(page: Any, says: str, name: str) -> None:
    """The hire's page, after the action, saying what was done (photographed: its first screen;
    the whole page with its timeline is werkplek-medewerker)."""
    assert re.search(rf"/medewerkers/{NOOR}\?gedaan=", page.url), page.url
    assert page.locator("h1").inner_text() == "Noor Bakker"
    assert says in page.get_by_role("status").first.inner_text()
    check_page(page, name, full_page=False)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_po_adviser_takes_every_action_on_a_hire_in_a_browser(
    site: Any, chromium: Any, viewport: str
):
    """Bram moves Noor's start date after its preview, marks an item done on Dirk's behalf,
    hands her buddy and leidinggevende over and cancels her hire, each from her page."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    start = noor_starts_soon(site)
    new = later_working_day(site, start)
    add_person(site, "HB-9201", ["medewerker"], "Sam", "Vos")
    with site.factory() as db, db.begin():
        sam = db.get(Person, "HB-9201")
        assert sam is not None
        sam.team = "Ruimtelijk domein"
    give_login(site, "HB-0002")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site.settings.resolved_base_url()}/medewerkers/{NOOR}")
    log_in(page, "HB-0002")
    hire_page = page.url

    # Move: the form, a refused date, the preview, confirmed.
    page.get_by_role("link", name="Startdatum verplaatsen").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Startdatum van Noor Bakker verplaatsen"
    check_page(page, "werkplek-verplaatsen")
    page.get_by_label("Nieuwe startdatum").fill("32-1-2027")
    _press(page, "Bekijk wat er verandert")
    assert "geen datum" in page.locator(".foutmelding").inner_text()
    check_page(page, "werkplek-verplaatsen-fout")
    page.get_by_label("Nieuwe startdatum").fill(f"{new.day}-{new.month}-{new.year}")
    _press(page, "Bekijk wat er verandert")
    assert page.get_by_role("heading", name="Wat er verandert").is_visible()
    assert date_nl(new) in page.content()
    check_page(page, "werkplek-verplaatsen-voorbeeld")
    assert _hire(site).start_date == start  # the preview changed nothing
    _press(page, "Verplaatsen en iedereen vandaag laten weten")
    _back_on_the_hire_page(page, "De startdatum is verplaatst", "werkplek-verplaatst")
    assert _hire(site).start_date == new

    # An item done on its owner's behalf, with a reason.
    page.get_by_role("link", name=re.compile("Namens eigenaar afronden")).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Punt afvinken namens ")
    check_page(page, "werkplek-namens")
    page.get_by_label("Reden").fill("Dirk is deze week ziek; P&O heeft het geregeld.")
    page.get_by_role("button", name=re.compile("^Afvinken namens ")).click()
    page.wait_for_load_state()
    _back_on_the_hire_page(page, "namens de eigenaar afgevinkt", "werkplek-afgevinkt")

    # A new buddy and a new leidinggevende.
    for role, person, name in (("buddy", "HB-9201", "Sam Vos"), ("leidinggevende", "HB-0006", "")):
        page.get_by_role("link", name=f"{role.capitalize()} wijzigen").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == f"Andere {role} voor Noor Bakker"
        check_page(page, f"werkplek-{role}")
        page.get_by_label(f"Nieuwe {role}").select_option(person)
        _press(page, f"{role.capitalize()} wijzigen")
        _back_on_the_hire_page(page, "is nu de", f"werkplek-{role}-gewijzigd")
        assert not name or name in page.get_by_role("status").first.inner_text()
    hire = _hire(site)
    assert (hire.buddy_id, hire.manager_id) == ("HB-9201", "HB-0006")

    # A corrected private address (as the new colleague passed it on before day one).
    page.get_by_role("link", name="Naam of e-mailadres corrigeren").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Gegevens van Noor Bakker corrigeren"
    check_page(page, "werkplek-gegevens")
    page.get_by_label("Privé-e-mailadres").fill("noor-at-example.org")
    _press(page, "Gegevens opslaan")
    assert page.locator(".samenvatting").is_visible()
    check_page(page, "werkplek-gegevens-fout")
    page.get_by_label("Privé-e-mailadres").fill("noor.b.prive@example.org")
    _press(page, "Gegevens opslaan")
    _back_on_the_hire_page(page, "De gegevens zijn gewijzigd", "werkplek-gegevens-gewijzigd")
    assert _hire(site).private_email == "noor.b.prive@example.org"

    # Cancel: the confirmation lists what is withdrawn; confirmed with a reason.
    page.get_by_role("link", name="Indiensttreding annuleren").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Indiensttreding van Noor Bakker annuleren"
    assert "vervalt" in page.content()
    check_page(page, "werkplek-annuleren")
    page.get_by_label("Reden").fill("Noor heeft zich teruggetrokken.")
    _press(page, "Annuleren en iedereen vandaag laten weten")
    _back_on_the_hire_page(page, "geannuleerd", "werkplek-geannuleerd")
    assert _hire(site).state.value == "cancelled"
    assert page.url.startswith(hire_page)
    context.close()
