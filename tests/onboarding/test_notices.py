"""Tests of filing notices: one pending digest per recipient and day, also concurrently (ONB-3)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from poflow.db.models import Action
from poflow.states import ActionState


def test_onb_3_two_dispatchers_filing_for_one_recipient_at_once_share_one_digest(runtime):
    """Both use one digest row, without a unique-key failure. On PostgreSQL the second does not
    wait for the first's batch to commit: the row is committed at once (two workers otherwise
    waited for each other's batches, every batch filing for the P&O mailbox). On SQLite the
    second waits for the write lock, as every writer does."""
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
    if runtime.factory.kw["bind"].dialect.name == "postgresql":
        other.join(10)
        assert outcome == {"ok": True}, "the second went on while the first's batch was open"
    else:
        time.sleep(0.5)
        assert other.is_alive(), "the second dispatcher waits for the write lock"
    first.commit()
    first.close()
    other.join(30)
    assert outcome == {"ok": True}
    with runtime.factory() as session:
        digests = session.execute(
            select(Action.key, Action.state).where(Action.case_type == "onb_digest")
        ).all()
    assert [state for _, state in digests] == [ActionState.PENDING]


def test_onb_3_a_digest_left_by_a_failed_batch_is_skipped_without_a_mail(runtime, smtp):
    """A batch that files a notice and then fails rolls its notice back; on PostgreSQL its
    digest row stays (committed at once, above). When due, that digest finds no notice: it is
    skipped and nobody gets an empty mail."""
    from poflow.onboarding.digest import send_digests
    from poflow.onboarding.notices import PO, _ensure_digests

    day, cfg = date(2027, 1, 11), runtime.config("hardenberg")
    with runtime.factory() as session:
        session.begin()
        _ensure_digests({cfg.slug: runtime.context(session, cfg, day)}, [(cfg.slug, PO)])
        session.rollback()
    with runtime.factory() as session, session.begin():
        left = session.scalars(select(Action).where(Action.case_type == "onb_digest")).all()
        if runtime.factory.kw["bind"].dialect.name != "postgresql":
            assert left == []  # one transaction: nothing stays
            return
        assert [a.state for a in left] == [ActionState.PENDING]
        done = send_digests({cfg.slug: runtime.context(session, cfg, day)}, left)
    assert done == {left[0].id: False}
    assert smtp.messages == []
