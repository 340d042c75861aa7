"""P&O's overview and a hire's page in Chromium (issue 21, items 1 and 2): logging in, the
filters, following a hire's link; axe-core finds nothing on either page, desktop and phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from poflow.db.models import Hire
from poflow.kernel.calendar import today
from poflow.runtime import run_day
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_po_adviser_filters_the_overview_and_opens_a_hire_in_a_browser(
    site: Any, chromium: Any, viewport: str
):
    """Bram logs in, narrows the overview to late hires, opens Lotte's page from it and sees
    her checklist, timeline and actions; both pages pass axe-core."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    day = today()
    with site.factory() as session, session.begin():
        for hire_id, shift in (("NH-2027-001", -40), ("NH-2027-002", 20)):
            moved = day + timedelta(shift)
            session.execute(
                update(Hire)
                .where(Hire.id == hire_id)
                .values(start_date=moved, first_working_day=moved)
            )
    workday = day
    while not site.config("hardenberg").calendar.is_working_day(workday):
        workday -= timedelta(days=1)
    run_day(site, workday, municipality="hardenberg")
    give_login(site, "HB-0002")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site.settings.resolved_base_url()}/overzicht")
    log_in(page, "HB-0002")
    assert page.locator("h1").inner_text() == "Nieuwe medewerkers van Gemeente Hardenberg"
    check_page(page, "werkplek-overzicht")
    page.get_by_label("Alleen met iets te laat").check()
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state()
    assert "te_laat=1" in page.url
    assert page.get_by_role("link", name="Milan Dekker").count() == 0
    page.get_by_role("link", name="Lotte Hendriks").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Lotte Hendriks"
    assert page.get_by_role("heading", name="Tijdlijn").is_visible()
    assert page.get_by_role("link", name="Startdatum verplaatsen").is_visible()
    check_page(page, "werkplek-medewerker")
    context.close()
