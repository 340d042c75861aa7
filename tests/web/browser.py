"""Browser test support: Debian's Chromium under Playwright, axe-core, logging in through the
real form, and the app served on a free loopback port (fixtures `chromium` and `site` are in
tests/web/conftest.py). `check_page` runs axe-core (0 violations of WCAG 2.1 A/AA and best
practice) and photographs the page for docs/screenshots/ (desktop 1280x800, phone 390x844)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poflow.auth.accounts import add_login, login_of
from tests.conftest import ROOT, free_port
from tests.web.support import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
  });
  return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def give_login(rt: Any, person_id: str) -> None:
    """A local login with TEST_PASSWORD for `person_id` (as `poflow users add` makes one)."""
    with rt.factory() as session, session.begin():
        if login_of(session, person_id) is None:
            add_login(session, person_id, TEST_PASSWORD, totp=False, actor="test")


def log_in(page: Any, person_id: str) -> None:
    """On the login page a link sent the browser to: fill in the form and press the button."""
    assert page.locator("h1").inner_text() == "Inloggen"
    page.get_by_label("Personeelsnummer").fill(person_id)
    page.get_by_label("Wachtwoord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def _chromium() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright, for this module."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `apt-get install -y chromium` (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _site(hardenberg: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The runtime with the web app served on a free loopback port that its links point at."""
    from poflow.runtime import _runtime, get_runtime
    from poflow.settings import get_settings
    from poflow.web import serve_web_in_thread

    port = free_port()
    monkeypatch.setenv("POFLOW_WEB_PORT", str(port))
    monkeypatch.setenv("POFLOW_BASE_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    _runtime.cache_clear()
    rt = get_runtime()
    server = serve_web_in_thread(rt.settings)
    try:
        yield rt
    finally:
        server.stop()


def check_page(page: Any, name: str, *, full_page: bool = True) -> None:
    """axe-core finds nothing on the page; it is photographed as `name`-<viewport>.png (the
    first screen only with `full_page=False`: a page that is long by nature)."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    assert violations == [], (page.url, violations)
    width = page.viewport_size["width"]
    kind = next(k for k, v in VIEWPORTS.items() if v["width"] == width)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{kind}.png"), full_page=full_page)
