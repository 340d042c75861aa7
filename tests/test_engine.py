"""Tests of the engine's batches: one transaction per batch, and a failing handler isolated."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from poflow import engine
from poflow.db.models import Action, AuditEntry, Hire, Outbox
from poflow.engine import Context, perform_due, perform_due_in, perform_groups
from poflow.states import ActionState

DAY = date(2027, 1, 4)
KIND = "test.mail_then_maybe_fail"


def _mail_then_maybe_fail(ctx: Context, action: Action) -> bool:
    """Queue one mail for the action; raise afterwards when its key says so."""
    ctx.mail(
        key=f"{action.key}:po",
        template="afspraak_geannuleerd",
        to=ctx.po_recipient(),
        context={"titel": "Proef", "start": datetime(2027, 1, 4, 10)},
        case_type="hire",
        case_id=action.case_id,
        action=action,
    )
    if action.key.endswith(":bad"):
        raise RuntimeError("this handler fails on purpose")
    return True


@pytest.fixture
def actions(example_data: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Five due actions of the test kind for one hire; the third one's handler fails."""
    monkeypatch.setitem(engine._HANDLERS, KIND, _mail_then_maybe_fail)  # noqa: SLF001
    rt = example_data
    with rt.factory() as session, session.begin():
        hire = session.scalars(
            select(Hire).where(Hire.municipality == "hardenberg").order_by(Hire.id)
        ).first()
        ctx = Context(session, rt.config("hardenberg"), rt.settings, DAY)
        rows = [
            ctx.schedule(
                case_type="hire",
                case_id=hire.id,
                kind=KIND,
                due=DAY,
                key=f"{KIND}:{n}:{'bad' if n == 2 else 'good'}",
            )
            for n in range(5)
        ]
        session.flush()
        return [a.id for a in rows]


def test_x_1_a_failing_handler_stays_pending_and_the_rest_of_its_batch_mails_once(
    example_data: Any,
    actions: list[int],
):
    """The batch is redone action by action: four mails once, the failing action pending."""
    rt = example_data
    report = perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY, batch_size=3)
    assert report.failed_actions == [actions[2]]
    assert report.performed == 4
    with rt.factory() as session:
        states = dict(
            session.execute(select(Action.id, Action.state).where(Action.id.in_(actions))).all()
        )
        keys = session.scalars(
            select(Outbox.key).where(Outbox.key.startswith(KIND)).order_by(Outbox.key)
        ).all()
        audited = session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.action == "action.done",
                AuditEntry.entity_id.in_([str(i) for i in actions]),
            )
        ).all()
    assert states[actions[2]] == ActionState.PENDING
    assert [states[i] for i in actions if i != actions[2]] == [ActionState.DONE] * 4
    assert keys == [f"{KIND}:{n}:good:po" for n in (0, 1, 3, 4)]  # not the failed one's
    assert sorted(audited) == sorted(str(i) for i in actions if i != actions[2])


def test_x_1_the_failed_action_is_tried_again_on_the_next_run_not_the_same_one(
    example_data: Any,
    actions: list[int],
):
    """A second pass the same day leaves the failed action alone; nothing else is repeated."""
    rt = example_data
    perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY)
    again = perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY)
    assert (again.performed, again.skipped) == (0, 0)
    assert again.failed_actions == [actions[2]]  # tried once more in this new run, failed again
    with rt.factory() as session:
        count = len(session.scalars(select(Outbox.id).where(Outbox.key.startswith(KIND))).all())
    assert count == 4


def test_x_4_a_batch_handler_gets_consecutive_actions_at_once_and_each_is_audited(
    example_data: Any,
    actions: list[int],
    monkeypatch: pytest.MonkeyPatch,
):
    """Without failures a run of one kind goes to its batch handler; every action is recorded."""
    calls: list[list[int]] = []

    def all_at_once(ctxs: dict[str, Context], batch: list[Action]) -> dict[int, bool]:
        calls.append([a.id for a in batch])
        return {a.id: a.key.endswith(":good") for a in batch}  # the bad one is skipped here

    monkeypatch.setitem(engine._BATCH_HANDLERS, KIND, all_at_once)  # noqa: SLF001
    rt = example_data
    report = perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY)
    assert calls == [actions]
    assert (report.performed, report.skipped, report.failed_actions) == (4, 1, [])
    with rt.factory() as session:
        audited = dict(
            session.execute(
                select(AuditEntry.entity_id, AuditEntry.action).where(
                    AuditEntry.entity_id.in_([str(i) for i in actions]),
                    AuditEntry.entity_type == "action",
                )
            ).all()
        )
        details = session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.entity_id == str(actions[0]), AuditEntry.entity_type == "action"
            )
        ).all()
        states = dict(
            session.execute(select(Action.id, Action.state).where(Action.id.in_(actions))).all()
        )
    assert audited == {
        str(i): "action.skipped" if i == actions[2] else "action.done" for i in actions
    }
    assert states == {
        i: ActionState.SKIPPED if i == actions[2] else ActionState.DONE for i in actions
    }
    assert details == [{"kind": KIND, "case_type": "hire", "case_id": details[0]["case_id"]}]


def test_x_4_a_batch_handler_needs_the_single_handler_for_redos():
    """Registering a batch handler for a kind without a single handler is refused."""
    with pytest.raises(ValueError, match="no single handler"):
        engine.batch_handler("test.no_such_kind")(lambda ctx, batch: {})


def test_x_2_municipalities_with_work_are_those_with_hires_to_plan_or_actions_due(
    example_data: Any,
):
    """New hires make a municipality busy and due for planning; once planned and done, only
    due actions make it busy, with no planning pass."""
    from poflow.engine import municipalities_with_work
    from poflow.runtime import run_day

    rt = example_data
    slugs = rt.slugs(None)
    with rt.factory() as session:
        work = municipalities_with_work(session, DAY, slugs)
    assert (work.to_plan, work.to_perform) == (["hardenberg"], ["hardenberg"])
    run_day(rt, DAY, send=False)
    with rt.factory() as session:
        work = municipalities_with_work(session, DAY, slugs)
        assert (work.to_plan, work.to_perform) == ([], [])
        first_due = session.scalar(
            select(Action.due_date)
            .where(Action.state == ActionState.PENDING)
            .order_by(Action.due_date)
            .limit(1)
        )
        work = municipalities_with_work(session, first_due, slugs)
    assert (work.to_plan, work.to_perform) == ([], ["hardenberg"])


SLUGS = ["borger-odoorn", "hardenberg", "kaag-en-braassem"]


def _schedule_in_each(rt: Any) -> dict[str, list[int]]:
    """1, 2 and 3 due actions of the test kind in the three municipalities, in that order."""
    ids: dict[str, list[int]] = {}
    with rt.factory() as session, session.begin():
        for n, slug in enumerate(SLUGS, start=1):
            ctx = Context(session, rt.config(slug), rt.settings, DAY)
            rows = [
                ctx.schedule(
                    case_type="test",
                    case_id=f"T-{slug}",
                    kind=KIND,
                    due=DAY,
                    key=f"{KIND}:{slug}:{k}",
                )
                for k in range(n)
            ]
            session.flush()
            ids[slug] = [a.id for a in rows]
    return ids


def test_x_5_one_pass_serves_several_municipalities_each_with_its_own_context(
    example_data: Any,
    monkeypatch: pytest.MonkeyPatch,
):
    """Batches span municipalities; each handler gets its action's municipality's context,
    and counts and audit rows are kept per municipality."""
    seen: list[tuple[str, str]] = []

    def note(ctx: Context, action: Action) -> bool:
        seen.append((ctx.municipality, action.municipality))
        return True

    monkeypatch.setitem(engine._HANDLERS, KIND, note)  # noqa: SLF001
    rt = example_data
    ids = _schedule_in_each(rt)
    reports = perform_due_in(
        rt.factory, [rt.config(slug) for slug in SLUGS], rt.settings, DAY, batch_size=4
    )
    assert seen == [(slug, slug) for n, slug in enumerate(SLUGS, start=1) for _ in range(n)]
    assert {slug: (r.performed, r.skipped, r.failed_actions) for slug, r in reports.items()} == {
        slug: (n, 0, []) for n, slug in enumerate(SLUGS, start=1)
    }
    with rt.factory() as session:
        audited = dict(
            session.execute(
                select(AuditEntry.entity_id, AuditEntry.municipality).where(
                    AuditEntry.action == "action.done"
                )
            ).all()
        )
    assert audited == {str(i): slug for slug in SLUGS for i in ids[slug]}


def test_x_5_perform_groups_split_municipalities_in_order():
    """Municipalities go to perform passes in groups of at most the given size, in order."""
    assert perform_groups(["a", "b", "c", "d", "e"], size=2) == [["a", "b"], ["c", "d"], ["e"]]
    assert perform_groups([]) == []
    assert len(perform_groups([f"m{i}" for i in range(342)])) == 11


WAITER = "test.waits"


@pytest.fixture
def order(example_data: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds performed, in order: an action of KIND and, a day older, one of a kind that
    waits for KIND."""
    performed: list[str] = []

    def note(ctx: Context, action: Action) -> bool:
        performed.append(action.kind)
        return True

    for kind in (KIND, WAITER):
        monkeypatch.setitem(engine._HANDLERS, kind, note)  # noqa: SLF001
    monkeypatch.setitem(engine._WAITS, WAITER, frozenset({KIND}))  # noqa: SLF001
    with example_data.factory() as session, session.begin():
        ctx = Context(session, example_data.config("hardenberg"), example_data.settings, DAY)
        ctx.schedule(
            case_type="test", case_id="T-1", kind=WAITER, due=date(2027, 1, 1), key=f"{WAITER}:1"
        )
        ctx.schedule(case_type="test", case_id="T-1", kind=KIND, due=DAY, key=f"{KIND}:1")
    return performed


def test_x_1_a_waiting_kind_goes_after_what_it_waits_for_in_the_same_pass(
    example_data: Any,
    order: list[str],
):
    """The older waiting action is performed after the day's action it waits for, in one pass."""
    rt = example_data
    report = perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY)
    assert order == [KIND, WAITER]
    assert report.performed == 2


def test_x_1_a_waiting_kind_is_not_claimed_while_another_dispatcher_holds_what_it_waits_for(
    example_data: Any,
    order: list[str],
    monkeypatch: pytest.MonkeyPatch,
):
    """A second dispatcher finds nothing while the first performs the awaited action; the first
    then performs the waiting one too."""
    import threading

    rt = example_data
    if rt.settings.database_url.startswith("sqlite"):
        pytest.skip("dispatchers split a day with row locks on PostgreSQL only")
    started, release = threading.Event(), threading.Event()

    def slow(ctx: Context, action: Action) -> bool:
        started.set()
        assert release.wait(30)
        order.append(action.kind)
        return True

    monkeypatch.setitem(engine._HANDLERS, KIND, slow)  # noqa: SLF001
    first: dict[str, Any] = {}
    busy = threading.Thread(
        target=lambda: first.update(
            report=perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY)
        )
    )
    busy.start()
    assert started.wait(30)
    second = perform_due(rt.factory, rt.config("hardenberg"), rt.settings, DAY)
    release.set()
    busy.join(30)
    assert second.performed == 0
    assert order == [KIND, WAITER]
    assert first["report"].performed == 2
