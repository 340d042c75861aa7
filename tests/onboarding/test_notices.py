"""Tests of filing notices: one pending digest per recipient and day, also concurrently (ONB-3)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from poflow.db.models import Action
from poflow.states import ActionState


def test_onb_3_two_dispatchers_filing_for_one_recipient_at_once_share_one_digest(runtime):
    """The second waits for the first's digest row and uses it: no unique-key failure (PG)."""
    import threading
    import time

    from poflow.onboarding.notices import PO, _ensure_digests

    day, cfg = date(2027, 1, 11), runtime.config("hardenberg")
    first = runtime.factory()
    first.begin()
    _ensure_digests({cfg.slug: runtime.context(first, cfg, day)}, [(cfg.slug, PO)])
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with runtime.factory() as session, session.begin():
                _ensure_digests({cfg.slug: runtime.context(session, cfg, day)}, [(cfg.slug, PO)])
            outcome["ok"] = True
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            outcome["error"] = repr(exc)

    other = threading.Thread(target=second)
    other.start()
    time.sleep(0.5)
    assert other.is_alive(), "the second dispatcher waits for the first's digest row"
    first.commit()
    first.close()
    other.join(30)
    assert outcome == {"ok": True}
    with runtime.factory() as session:
        digests = session.execute(
            select(Action.key, Action.state).where(Action.case_type == "onb_digest")
        ).all()
    assert [state for _, state in digests] == [ActionState.PENDING]
