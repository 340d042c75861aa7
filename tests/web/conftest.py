"""Fixtures of the browser tests: `chromium` (one headless Chromium per module) and `site`
(the web app served on a free loopback port that its links point at); see tests/web/browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import _chromium, _site


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright, for this module."""
    yield from _chromium()


@pytest.fixture
def site(hardenberg: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The runtime with the web app served on a free loopback port that its links point at."""
    yield from _site(hardenberg, monkeypatch)
