"""WS-REC in headless Chromium (issue 21, items 5 and 6): a P&O adviser walks the recruitment
board, opens a round with the wervingsbehoefte form (first with a mistake), records attendance
of an introduction session, looks at the conversation cycle and the coach report; the
gemeentesecretaris follows the board to their own decision page. Every page passes axe-core
(WCAG 2.1 A/AA) and is photographed for docs/screenshots/ on a desktop and a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from poflow.coaching.registrations import NewRegistration, register
from poflow.conversations.cycle import start_cycle
from poflow.introduction.states import ParticipationStatus
from poflow.kernel.calendar import today
from poflow.kernel.vocabulary import CaseType
from tests.recruitment.support import D0, apply, publish
from tests.recruitment.support import open_round as open_example_round
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in
from tests.web.test_werkplek_rec_pages import _session

pytestmark = pytest.mark.browser
P = ParticipationStatus


def _work(site: Any, smtp: Any) -> dict[str, Any]:
    """A formation round, a published round with two candidates, a past and a coming start
    meeting, a started conversation cycle and one coaching registration."""
    formation = open_example_round(site, formation_change=True)
    published = open_example_round(site, formation_change=False)
    publish(site, smtp, published)
    apply(site, published, "Lotte", 1, D0)
    apply(site, published, "Sven", 2, D0)
    past = _session(site, "hardenberg", -1, {"NH-2027-001": P.INVITED, "NH-2027-002": P.ACCEPTED})
    _session(site, "hardenberg", 20, {"NH-2027-003": P.INVITED})
    with site.factory() as session, session.begin():
        ctx = site.context(session, "hardenberg", today(), actor="test")
        start_cycle(
            ctx,
            case_type=CaseType.PERSON,
            case_id="HB-0005",
            on=today() + timedelta(days=30),
            manager_id="HB-0004",
            joined_on=today() - timedelta(days=900),
        )
        register(
            site.context(session, "hardenberg", today(), actor="HB-0008"),
            NewRegistration(
                coach_id="HB-0008",
                employee_name="Fenna Fictiefsma",
                registered_on=today(),
                domain="Ruimtelijk domein",
                reason="wat_wil_ik",
                source="mond_op_mond",
            ),
        )
    return {"formation": formation, "published": published, "past": past}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_po_works_through_recruitment_introduction_talks_and_coaching_in_a_browser(
    site: Any, smtp: Any, chromium: Any, viewport: str
):
    """P&O walks every WS-REC page and action; the gemeentesecretaris reaches their decision
    page from the board; axe-core finds nothing on any page."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    work = _work(site, smtp)
    base = site.settings.resolved_base_url()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for person in ("HB-0002", "HB-0001"):
        give_login(site, person)
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/werving")
    log_in(page, "HB-0002")
    assert page.locator("h1").inner_text() == "Werving"
    check_page(page, "werving")
    page.get_by_role("link", name="Nieuwe wervingsronde openen").click()
    assert page.locator("h1").inner_text() == "Nieuwe wervingsronde"
    check_page(page, "werving-nieuw")
    page.get_by_label("Team (verplicht)").select_option("Ruimtelijk domein")
    page.get_by_label("Functie (verplicht)").fill("Adviseur omgevingswet")
    page.get_by_label("Omvang in fte (verplicht)").fill("veel")
    page.get_by_role("button", name="Ronde openen").click()
    assert page.locator(".samenvatting").is_visible()
    check_page(page, "werving-nieuw-fouten")
    page.get_by_label("Omvang in fte (verplicht)").fill("1")
    page.get_by_label("MT-lid (verplicht)").select_option("HB-0004")
    page.get_by_label("Leidinggevende (verplicht)").select_option("HB-0004")
    page.get_by_role("button", name="Ronde openen").click()
    assert page.locator("h1").inner_text().endswith("Adviseur omgevingswet")
    assert "De wervingsronde is geopend" in page.locator("main").inner_text()
    page.goto(f"{base}/werving/{work['published']}")
    assert "Lotte Testpersoon" in page.locator("main").inner_text()
    check_page(page, "werving-ronde")
    page.goto(f"{base}/introductie")
    check_page(page, "introductie")
    page.goto(f"{base}/introductie/{work['past']}")
    check_page(page, "introductie-sessie")
    page.locator("tr", has_text="Lotte Hendriks").get_by_role("button", name="Aanwezig").click()
    assert "Vastgelegd: Lotte Hendriks was aanwezig" in page.locator("main").inner_text()
    page.goto(f"{base}/gesprekken")
    assert "Richtgesprek (ronde 1)" in page.locator("main").inner_text()
    check_page(page, "gesprekken")
    page.goto(f"{base}/coaching")
    assert "Fenna" not in page.content()
    check_page(page, "coaching")
    context.close()
    gs = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = gs.new_page()
    page.goto(f"{base}/werving/{work['formation']}")
    log_in(page, "HB-0001")
    check_page(page, "werving-ronde-besluit")
    page.get_by_role("link", name="Besluit nemen").first.click()
    assert page.locator("h1").inner_text().startswith("Besluit nemen (vierogenprincipe)")
    gs.close()
