"""Fixtures of the four-eyes tests: the web app's example databases and a client of the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from poflow.web import create_app
from tests import web_support

# The web app's example databases, offered to the tests of this folder.
example_db_template = web_support.example_db_template
hardenberg = web_support.hardenberg


@pytest.fixture
def client(hardenberg: Any) -> Iterator[TestClient]:
    """A client of the web app on this test's database."""
    with TestClient(create_app(hardenberg.settings)) as c:
        yield c
