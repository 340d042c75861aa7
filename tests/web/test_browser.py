"""End to end in headless Chromium: a mail arrives, its link is opened, the person logs in
through the real form when the link's action needs it, the button is pressed. The login, start
and role-review pages are checked with axe-core (0 violations of WCAG 2.1 A/AA) and
photographed for docs/screenshots/ on a desktop (1280x800) and a phone (390x844).

Uses Debian's chromium (/usr/bin/chromium) driven by the `playwright` package; `.ci/run`
installs it with `apt-get install -y chromium` (`playwright install` cannot download here), and
axe-core from npm into tests/axe (scripts/test.sh: `npm ci --prefix tests/axe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from poflow.approvals.decisions import roles_of
from poflow.approvals.models import ApprovalRequest
from poflow.approvals.requests import approval_outcome, request_approval
from poflow.db.models import Step
from poflow.kernel.foureyes import Outcome
from poflow.runtime import run_day, today
from poflow.states import StepState
from tests.approvals.support import ASKED, BRAM
from tests.conftest import SmtpRecorder, wait_for
from tests.staff.support import REVIEW, grant_by_import
from tests.support import move_talk
from tests.web.browser import AXE, SCREENSHOTS, VIEWPORTS, check_page, give_login, log_in
from tests.web.support import (
    DIRK,
    RECORD_DAY,
    flow_state,
    link_in_mail,
    run_in_thread,
)

pytestmark = pytest.mark.browser


def test_chk_2_manager_records_the_talk_from_the_mail_in_a_browser(
    site: Any, smtp: SmtpRecorder, chromium: Any
):
    """Dirk opens the "vastleggen" link on a phone, adds a note, presses the button by keyboard."""
    run_day(site, RECORD_DAY, municipality="hardenberg")
    mail = next(m for m in smtp.to(DIRK) if "plaatsgevonden?" in str(m["Subject"]))
    move_talk(site, "NH-2027-001", 1, today())  # the web app's day is the real one (CHK-2)
    give_login(site, "HB-0004")
    page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="nl-NL")
    page.goto(link_in_mail(mail))
    log_in(page, "HB-0004")  # the link needs Dirk's session: through the login and back
    assert page.locator("h1").inner_text() == "Gevoerd bijpraatmoment vastleggen"
    assert page.locator(".gemeente").inner_text() == "Gemeente Hardenberg"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "confirmation-checkin-phone.png"), full_page=True)
    page.get_by_label("Aantekening (niet verplicht)").fill("Goede start, vervolg over 2 maanden.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Gesprek heeft plaatsgevonden"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Vastgelegd")
    assert "vastgelegd als gehouden" in page.locator("main").inner_text()
    with site.factory() as session:
        talk = session.scalars(
            select(Step).where(Step.case_id == "NH-2027-001", Step.key == "checkin:1")
        ).one()
    assert (talk.state, talk.done_by) == (StepState.DONE, "HB-0004")
    assert talk.note == "Goede start, vervolg over 2 maanden."


def test_rec_9_two_approvals_in_the_browser_complete_the_waiting_flow(
    prefect_harness: None, site: Any, smtp: SmtpRecorder, chromium: Any
):
    """Leidinggevende and P&O each approve from their own mail; the paused flow completes."""
    from poflow.flows.approval import await_four_eyes

    with site.factory() as session, session.begin():  # the process asks, with its own title
        ctx = site.context(session, "hardenberg", today())
        request_approval(
            ctx,
            subject_type="offer",
            subject_id="OFFER-B",
            required=ASKED,
            title="Arbeidsvoorwaarden van kandidaat K-17, beleidsadviseur "
            "ruimtelijke ordening (schaal 10, 36 uur)",
        )
    thread, out = run_in_thread(
        await_four_eyes,
        subject_type="offer",
        subject_id="OFFER-B",
        municipality="hardenberg",
        required=ASKED,
        poll_seconds=1,
    )
    assert wait_for(lambda: len(smtp.messages) == 2, 60)
    for address, person_id in ((DIRK, "HB-0004"), (BRAM, "HB-0002")):
        (mail,) = smtp.to(address)
        give_login(site, person_id)
        person = chromium.new_context(locale="nl-NL")  # each their own browser
        page = person.new_page()
        page.goto(link_in_mail(mail))
        log_in(page, person_id)
        assert page.locator("h1").inner_text() == "Besluit nemen (vierogenprincipe)"
        if address == DIRK:
            page.screenshot(path=str(SCREENSHOTS / "confirmation.png"), full_page=True)
        page.get_by_label("Akkoord", exact=True).check()
        page.get_by_role("button", name="Besluit vastleggen").click()
        page.wait_for_selector("text=Vastgelegd")
        person.close()
    thread.join(60)
    assert out["result"] == "approved"
    with site.factory() as session:
        assert approval_outcome(session, "offer", "OFFER-B") is Outcome.APPROVED
        run_id = session.scalars(select(ApprovalRequest.flow_run_id)).one()
    assert flow_state(run_id).is_completed()


def test_onb_3_an_owner_marks_a_checklist_item_done_from_the_digest_in_a_browser(
    site: Any, smtp: SmtpRecorder, chromium: Any
):
    """Dirk opens the first done link of his daily digest and presses the button: the item
    closes."""
    import re
    from datetime import date, timedelta

    day = date(2027, 1, 4)
    while not [m for m in smtp.to(DIRK) if str(m["Subject"]).startswith("Onboarding:")]:
        run_day(site, day, municipality="hardenberg")
        day += timedelta(days=1)
        assert day < date(2027, 3, 1), "no digest reached the leidinggevende"
    digest = next(m for m in smtp.to(DIRK) if str(m["Subject"]).startswith("Onboarding:"))
    html = digest.get_body(("html",)).get_content()
    url = re.search(r'href="(http://127\.0\.0\.1:\d+/a/[^"]+)"', html).group(1)
    page = chromium.new_page(locale="nl-NL")
    page.goto(url)
    assert page.locator("h1").inner_text().startswith("Punt afvinken: ‘")
    with site.factory() as session:
        from poflow.link_tokens import verify_token
        from poflow.links import ActionLink

        token = url.rsplit("/a/", 1)[1]
        link = verify_token(session, secret=site.settings.signing_keys(), token=token)
        step_id = link.step_id
        assert session.get(ActionLink, link.id).used_at is None  # the GET changed nothing
    page.get_by_role("button", name="Punt afvinken").click()
    page.wait_for_selector("text=Vastgelegd door")
    with site.factory() as session:
        item = session.get(Step, step_id)
    assert item.process == "onb"
    assert item.state == StepState.DONE
    assert item.done_by == "HB-0004"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_rec_9_a_second_person_confirms_an_import_s_roles_in_a_browser(
    site: Any, chromium: Any, tmp_path: Path, viewport: str
):
    """Bram follows the mailed review link, logs in, sees the import's roles and confirms them
    with the keyboard-reachable button; every page passes axe-core."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/axe` (see scripts/test.sh)")
    batch, mail = grant_by_import(
        site, tmp_path, {"HB-0005": "medewerker;leidinggevende", "HB-0007": "medewerker;or_lid"}
    )
    give_login(site, "HB-0002")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # axe is injected as a script: the context lets it past the app's strict CSP
    context = chromium.new_context(locale="nl-NL", viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.goto(REVIEW.search(mail.body_text).group(0))  # the address in P&O's mail
    check_page(page, "login")
    log_in(page, "HB-0002")
    assert page.locator("h1").inner_text() == "Rollen bevestigen"
    check_page(page, "rollen-import")
    page.goto(f"{site.settings.resolved_base_url()}/rollen")
    assert page.locator("h1").inner_text() == "Rollen die wachten op bevestiging"
    check_page(page, "rollen")
    page.goto(site.settings.resolved_base_url() + "/")
    assert page.locator("h1").inner_text() == "Mijn werk"  # / leads to /werk
    assert "Ingelogd als Bram de Wit" in page.locator("main").inner_text()
    check_page(page, "home")
    page.goto(f"{site.settings.resolved_base_url()}/rollen/{batch}")
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_selector("text=Rollen bevestigd")
    check_page(page, "rollen-bevestigd")
    context.close()
    with site.factory() as session:
        assert "leidinggevende" in roles_of(session, "HB-0005", "hardenberg")
        assert "or_lid" in roles_of(session, "HB-0007", "hardenberg")
