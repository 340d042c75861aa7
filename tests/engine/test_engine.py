"""Tests of the engine's batches: one transaction per batch, and a failing handler isolated."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from poflow._exceptions import ConfigError
from poflow.db.models import Action, AuditEntry, Hire, Outbox
from poflow.engine import (
    BatchHandler,
    Context,
    Handler,
    ProcessSpec,
    Registry,
    perform_due,
    perform_due_in,
    perform_groups,
)
from poflow.processes import PROCESSES
from poflow.states import ActionState

DAY = date(2027, 1, 4)
KIND = "test.mail_then_maybe_fail"
WAITER = "test.waits"
# What handles each test kind right now: a test sets its own function (monkeypatch.setitem).
NOW: dict[str, Handler] = {}
BATCH: dict[str, BatchHandler] = {}


def _dispatch(ctx: Context, action: Action) -> bool:
    return NOW[action.kind](ctx, action)


def _dispatch_batch(ctxs: dict[str, Context], batch: list[Action]) -> dict[int, bool]:
    return BATCH[batch[0].kind](ctxs, batch)


def with_test_process(rt: Any, *, batch: bool = False, waits: bool = False) -> Any:
    """The runtime with one more process declared: the test kinds, handled through NOW."""
    spec = ProcessSpec(
        name="test",
        rules="X-1",
        handlers={KIND: _dispatch, WAITER: _dispatch},
        batch_handlers={KIND: _dispatch_batch} if batch else {},
        waits_for={WAITER: frozenset({KIND})} if waits else {},
    )
    return replace(rt, registry=Registry.build([*PROCESSES, spec]))


def _perform(rt: Any, **kwargs: Any) -> Any:
    return perform_due(
        rt.factory, rt.config("hardenberg"), rt.settings, DAY, registry=rt.registry, **kwargs
    )


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
def test_rt(example_data: Any) -> Any:
    """The example data's runtime with the test process declared."""
    return with_test_process(example_data)


@pytest.fixture
def actions(test_rt: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Five due actions of the test kind for one hire; the third one's handler fails."""
    monkeypatch.setitem(NOW, KIND, _mail_then_maybe_fail)
    rt = test_rt
    with rt.factory() as session, session.begin():
        hire = session.scalars(
            select(Hire).where(Hire.municipality == "hardenberg").order_by(Hire.id)
        ).first()
        ctx = rt.context(session, "hardenberg", DAY)
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
    test_rt: Any,
    actions: list[int],
):
    """The batch is redone action by action: four mails once, the failing action pending."""
    rt = test_rt
    report = _perform(rt, batch_size=3)
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
    test_rt: Any,
    actions: list[int],
):
    """A second pass the same day leaves the failed action alone; nothing else is repeated."""
    rt = test_rt
    _perform(rt)
    again = _perform(rt)
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

    monkeypatch.setitem(BATCH, KIND, all_at_once)
    rt = with_test_process(example_data, batch=True)
    report = _perform(rt)
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
    """Declaring a batch handler for a kind without a single handler is refused."""
    spec = ProcessSpec(
        name="test", rules="X-4", batch_handlers={"test.no_such_kind": _dispatch_batch}
    )
    with pytest.raises(ConfigError, match="has no handler"):
        Registry.build([*PROCESSES, spec])


def test_x_1_an_action_kind_declared_by_two_processes_is_refused():
    """Two processes may not both handle one kind: the registry names the kind and both."""
    spec = ProcessSpec(name="test", rules="X-1", handlers={"chk.invite": _dispatch})
    with pytest.raises(ConfigError, match=r"'chk\.invite' is declared by checkins and test"):
        Registry.build([*PROCESSES, spec])


def test_x_1_the_planners_run_in_the_order_of_the_process_list():
    """The registry keeps PROCESSES' order: check-ins are planned before onboarding ticks them."""
    assert list(Registry.build(PROCESSES).planners) == [
        "checkins",
        "onboarding",
        "conversations",
        "introduction",
        "recruitment",
    ]


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
            ctx = rt.context(session, slug, DAY)
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

    monkeypatch.setitem(NOW, KIND, note)
    rt = with_test_process(example_data)
    ids = _schedule_in_each(rt)
    reports = perform_due_in(
        rt.factory,
        [rt.config(slug) for slug in SLUGS],
        rt.settings,
        DAY,
        registry=rt.registry,
        batch_size=4,
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


@pytest.fixture
def waiting_rt(example_data: Any) -> Any:
    """The runtime with the test process, whose WAITER kind waits for KIND."""
    return with_test_process(example_data, waits=True)


@pytest.fixture
def order(waiting_rt: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds performed, in order: an action of KIND and, a day older, one of a kind that
    waits for KIND."""
    performed: list[str] = []

    def note(ctx: Context, action: Action) -> bool:
        performed.append(action.kind)
        return True

    for kind in (KIND, WAITER):
        monkeypatch.setitem(NOW, kind, note)
    with waiting_rt.factory() as session, session.begin():
        ctx = waiting_rt.context(session, "hardenberg", DAY)
        ctx.schedule(
            case_type="test", case_id="T-1", kind=WAITER, due=date(2027, 1, 1), key=f"{WAITER}:1"
        )
        ctx.schedule(case_type="test", case_id="T-1", kind=KIND, due=DAY, key=f"{KIND}:1")
    return performed


def test_x_1_a_waiting_kind_goes_after_what_it_waits_for_in_the_same_pass(
    waiting_rt: Any,
    order: list[str],
):
    """The older waiting action is performed after the day's action it waits for, in one pass."""
    report = _perform(waiting_rt)
    assert order == [KIND, WAITER]
    assert report.performed == 2


def test_x_1_a_waiting_kind_is_not_claimed_while_another_dispatcher_holds_what_it_waits_for(
    waiting_rt: Any,
    order: list[str],
    monkeypatch: pytest.MonkeyPatch,
):
    """A second dispatcher finds nothing while the first performs the awaited action; the first
    then performs the waiting one too."""
    import threading

    rt = waiting_rt
    if rt.settings.database_url.startswith("sqlite"):
        pytest.skip("dispatchers split a day with row locks on PostgreSQL only")
    started, release = threading.Event(), threading.Event()

    def slow(ctx: Context, action: Action) -> bool:
        started.set()
        assert release.wait(30)
        order.append(action.kind)
        return True

    monkeypatch.setitem(NOW, KIND, slow)
    first: dict[str, Any] = {}
    busy = threading.Thread(target=lambda: first.update(report=_perform(rt)))
    busy.start()
    assert started.wait(30)
    second = _perform(rt)
    release.set()
    busy.join(30)
    assert second.performed == 0
    assert order == [KIND, WAITER]
    assert first["report"].performed == 2
