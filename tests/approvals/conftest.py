"""Fixtures of the four-eyes tests: a client of the web app on the example database (the
database fixtures come from tests/web/support.py, a plugin of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from poflow.web import create_app


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c
