"""Tests of what poflow remembers publishing to Prefect: unchanged content is not sent again."""

from __future__ import annotations

from datetime import date
from typing import Any

from poflow.published import PublishedArtifact, changed, content_digest, remember


def test_onb_4_new_and_changed_content_is_to_publish_unchanged_is_not(runtime: Any):
    """Only keys whose content differs from the remembered digest come back."""
    with runtime.factory() as session, session.begin():
        todo = changed(session, {"a": [1, 2], "b": {"x": date(2027, 1, 4)}})
        assert set(todo) == {"a", "b"}
        remember(session, todo)
    with runtime.factory() as session, session.begin():
        assert changed(session, {"a": [1, 2], "b": {"x": date(2027, 1, 4)}}) == {}
        todo = changed(session, {"a": [1, 3], "b": {"x": date(2027, 1, 4)}, "c": 50.0})
        assert set(todo) == {"a", "c"}
        remember(session, todo)
    with runtime.factory() as session:
        assert session.get(PublishedArtifact, "a").digest == content_digest([1, 3])
        assert session.query(PublishedArtifact).count() == 3


def test_onb_4_the_digest_ignores_key_order_but_not_values():
    """Dicts in another order give the same digest; another value gives another."""
    assert content_digest({"a": 1, "b": 2}) == content_digest({"b": 2, "a": 1})
    assert content_digest({"a": 1}) != content_digest({"a": 2})
