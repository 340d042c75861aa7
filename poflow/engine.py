"""The process engine: what processes register, and the two passes of a dispatcher day.

A process registers *planners* (called once per hire and version: create its steps and dated
actions) and *handlers* (called once per due action: queue mails, escalate, or skip). The
dispatcher for day D plans what needs planning, then performs every pending action due on or
before D, oldest first. Both passes are safe to repeat: actions and mails have unique keys.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload, lazyload, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from poflow import audit
from poflow.config import MunicipalityConfig
from poflow.db.base import chunked, one_of, utcnow
from poflow.db.models import Action, Hire, Outbox, Person, PersonRole, Step
from poflow.db.session import one_connection
from poflow.mail.ics import Invitation, build_ics
from poflow.mail.outbox import (
    SAVEPOINTS,
    Recipient,
    outbox_row,
    queue_mail,
)
from poflow.mail.render import render_mail
from poflow.settings import Settings
from poflow.states import ActionState, HireState, MailState, StepState, check_transition
from poflow.workdays import TIMEZONE

__all__ = [
    "MUNICIPALITIES_PER_PASS",
    "Context",
    "DayReport",
    "DayWork",
    "batch_handler",
    "handler",
    "live_hire",
    "live_hire_step",
    "municipalities_with_work",
    "note_actions_added",
    "perform_due",
    "perform_due_in",
    "perform_groups",
    "plan_hires",
    "planner",
    "registered_handlers",
]

log = logging.getLogger("poflow.engine")
TZ = ZoneInfo(TIMEZONE)
SYSTEM_ACTOR = "system"  # who the audit log names for what the dispatcher does

Planner = Callable[["Context", Hire], None]
Handler = Callable[["Context", Action], bool]
# A batch handler gets the Context of each municipality among its actions, by slug.
BatchHandler = Callable[[dict[str, "Context"], list[Action]], dict[int, bool]]

_PLANNERS: dict[str, Planner] = {}
_HANDLERS: dict[str, Handler] = {}
_BATCH_HANDLERS: dict[str, BatchHandler] = {}
# Kinds that wait, within a municipality, until no action of the listed kinds is due and pending
# (or being performed by another dispatcher): see handler(waits_for=...).
_WAITS: dict[str, frozenset[str]] = {}


def planner(name: str) -> Callable[[Planner], Planner]:
    """Register a planner: `fn(ctx, hire)` creates or updates the hire's steps and actions."""

    def register(fn: Planner) -> Planner:
        _PLANNERS[name] = fn
        return fn

    return register


def handler(kind: str, *, waits_for: Iterable[str] = ()) -> Callable[[Handler], Handler]:
    """Register the handler of one action kind: `fn(ctx, action)` returns False to skip.

    With `waits_for`, an action of this kind is claimed only once its municipality has no
    due, pending action of those kinds left, counting those another dispatcher is performing
    right now (a digest goes out after every notice it should carry, however many dispatchers
    split the day).
    """

    def register(fn: Handler) -> Handler:
        if kind in _HANDLERS and _HANDLERS[kind] is not fn:
            raise ValueError(f"Action kind {kind!r} is registered twice")
        _HANDLERS[kind] = fn
        if waits_for:
            _WAITS[kind] = frozenset(waits_for)
        return fn

    return register


def batch_handler(*kinds: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register a faster way to perform many actions of these kinds at once.

    `fn(contexts, actions)` returns, per action id, what the kind's single handler would have
    returned; `contexts` holds the Context of each municipality among the actions, by slug
    (one session). The engine uses it for consecutive actions of these kinds in a batch without
    savepoints; a redo with savepoints uses the single handler, which must be registered too.
    """

    def register(fn: BatchHandler) -> BatchHandler:
        for kind in kinds:
            if kind not in _HANDLERS:
                raise ValueError(f"Action kind {kind!r} has no single handler")
            _BATCH_HANDLERS[kind] = fn
        return fn

    return register


def registered_handlers() -> dict[str, Handler]:
    """The handlers known to the engine, by action kind."""
    return dict(_HANDLERS)


@dataclass
class _Case:
    """The steps and actions of one case, read once per session instead of once per lookup."""

    steps: dict[str, Step] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)


_CASES = "poflow.engine.cases"
_MAX_CASES = 64  # a planning session walks hire after hire: keep only the recent ones


def _case(session: Session, case_type: str, case_id: str) -> _Case:
    """The case's steps and actions, loaded in two queries the first time this session asks.

    Rows added to the session afterwards are tracked by the events below; a rollback or a bulk
    delete forgets everything, so a lookup never answers from a stale picture.
    """
    cases: OrderedDict[tuple[str, str], _Case] = session.info.setdefault(_CASES, OrderedDict())
    found = cases.get((case_type, case_id))
    if found is not None:
        cases.move_to_end((case_type, case_id))
        return found
    found = _Case()
    where = (case_type, case_id)
    for step in session.scalars(
        select(Step).where(Step.case_type == case_type, Step.case_id == case_id)
    ):
        found.steps[step.key] = step
    for action in session.scalars(
        select(Action).where(Action.case_type == case_type, Action.case_id == case_id)
    ):
        found.actions[action.key] = action
    cases[where] = found
    if len(cases) > _MAX_CASES:
        cases.popitem(last=False)
    return found


_ADDED = "poflow.engine.actions_added"  # session.info: an action was added or revived


def note_actions_added(session: Session) -> None:
    """Tell the engine that actions were written past the ORM (a Core INSERT): the dispatcher
    then looks for due work once more after this batch, since they may be due today."""
    session.info[_ADDED] = True


@event.listens_for(Session, "transient_to_pending")
def _track_added(session: Session, obj: object) -> None:
    if isinstance(obj, Action):
        session.info[_ADDED] = True
    if isinstance(obj, Step | Action):
        known = session.info.get(_CASES, {}).get((obj.case_type, obj.case_id))
        if known is not None:
            (known.steps if isinstance(obj, Step) else known.actions)[obj.key] = obj


@event.listens_for(Session, "persistent_to_deleted")
@event.listens_for(Session, "pending_to_transient")
@event.listens_for(Session, "persistent_to_transient")
def _track_removed(session: Session, obj: object) -> None:
    if isinstance(obj, Step | Action):
        session.info.pop(_CASES, None)


@event.listens_for(Session, "after_soft_rollback")
@event.listens_for(Session, "after_commit")
def _forget_cases(session: Session, *_args: object) -> None:
    session.info.pop(_CASES, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_delete(state: Any) -> None:
    if state.is_delete:
        state.session.info.pop(_CASES, None)


def local_datetime(day: date, at: time) -> datetime:
    """`day` at wall-clock time `at` in Europe/Amsterdam, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=TZ)


@dataclass
class Context:
    """Everything a planner or handler may use: one session, one municipality, one day."""

    session: Session
    config: MunicipalityConfig
    settings: Settings
    day: date
    actor: str = SYSTEM_ACTOR
    # One invitation mailed to several people is written once (same DTSTAMP for all of them).
    _ics: dict[Invitation, str] = field(default_factory=dict, repr=False)
    # What handlers remember within this context's session (e.g. today's digest per recipient).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def municipality(self) -> str:
        """The municipality's slug."""
        return self.config.slug

    @property
    def calendar(self) -> Any:
        """The municipality's working-day calendar."""
        return self.config.calendar

    # -- people ---------------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        """A staff member by id (the import guarantees managers and buddies exist)."""
        person = self.session.get(Person, person_id)
        if person is None:
            raise LookupError(f"person {person_id} does not exist")
        return person

    def people_with_role(self, role: str) -> list[Person]:
        """Everyone holding `role` in this municipality, by id."""
        query = (
            select(Person)
            .join(PersonRole)
            .where(PersonRole.municipality == self.municipality, PersonRole.role == role)
            .order_by(Person.id)
        )
        return list(self.session.scalars(query))

    @staticmethod
    def recipient(person: Person) -> Recipient:
        """A staff member as a mail recipient."""
        return Recipient(person.id, person.full_name, person.email)

    def hire_recipient(self, hire: Hire) -> Recipient:
        """A new hire at the address valid on this day (private before day one, work after)."""
        return Recipient(hire.id, hire.full_name, hire.address_on(self.day))

    def po_recipient(self) -> Recipient:
        """The P&O team mailbox of this municipality."""
        m = self.config.municipality
        return Recipient(None, f"P&O {m.name}", str(m.po_mailbox))

    # -- steps and actions ----------------------------------------------------------------
    def step(self, *, case_type: str, case_id: str, key: str) -> Step | None:
        """The step `key` of a case, or None (the case's steps are read once per session)."""
        return _case(self.session, case_type, case_id).steps.get(key)

    def schedule(
        self,
        *,
        case_type: str,
        case_id: str,
        kind: str,
        key: str,
        due: date,
        step: Step | None = None,
    ) -> Action:
        """Make sure action `key` exists: create it, or revive it when a move had cancelled it.

        An action already done or skipped is returned as is, so re-planning never repeats work.
        Keys name their case, so the case's actions (read once per session) are the ones to
        check; the new row is written with the session's next flush.
        """
        if kind not in _HANDLERS:
            raise ValueError(f"No handler registered for action kind {kind!r}")
        existing = _case(self.session, case_type, case_id).actions.get(key)
        if existing is not None:
            if existing.state == ActionState.CANCELLED:
                note_actions_added(self.session)
                existing.state = ActionState.PENDING
                existing.due_date = due
                existing.done_at = None
            return existing
        action = Action(
            municipality=self.municipality,
            case_type=case_type,
            case_id=case_id,
            step=step,
            kind=kind,
            key=key,
            due_date=due,
            state=ActionState.PENDING,
        )
        self.session.add(action)
        return action

    def mail(
        self,
        *,
        key: str,
        template: str,
        to: Recipient,
        context: dict[str, Any],
        case_type: str,
        case_id: str,
        action: Action | None = None,
        invitation: Invitation | None = None,
    ) -> Outbox | None:
        """Queue one templated mail under `key` (once only, X-1); None when already queued."""
        m = self.config.municipality
        return queue_mail(
            self.session,
            key=key,
            templates_dir=self.settings.templates_dir,
            template=template,
            context=self._mail_context(to, context),
            to=to,
            sender_name=m.sender_name,
            sender_email=str(m.sender_email),
            municipality=self.municipality,
            case_type=case_type,
            case_id=case_id,
            action_id=action.id if action else None,
            invitation=invitation,
            ics=self._ics_of(invitation),
        )

    def outbox_rows(self, mails: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Render many mails of this municipality into outbox rows, for queue_rows (one
        statement for a batch, possibly of several municipalities).

        Each item holds mail()'s keyword arguments; a key given twice is rendered once. As
        with mail(), queue_rows leaves a key queued before alone and queues one a move withdrew
        again. Only for batches without savepoints: the engine redoes a failed batch one by one.
        """
        m = self.config.municipality
        rows: dict[str, dict[str, Any]] = {}
        for spec in mails:
            key, to, invitation, action = (
                spec["key"],
                spec["to"],
                spec.get("invitation"),
                spec.get("action"),
            )
            if key in rows:
                continue
            rendered = render_mail(
                self.settings.templates_dir,
                spec["template"],
                self._mail_context(to, spec["context"]),
            )
            rows[key] = outbox_row(
                key=key,
                rendered=rendered,
                to=to,
                sender_name=m.sender_name,
                sender_email=str(m.sender_email),
                municipality=self.municipality,
                case_type=spec["case_type"],
                case_id=spec["case_id"],
                template=spec["template"],
                action_id=action.id if action else None,
                ics=self._ics_of(invitation),
                ics_method=invitation.method if invitation else None,
            )
        return list(rows.values())

    def _mail_context(self, to: Recipient, context: dict[str, Any]) -> dict[str, Any]:
        """What every template gets, plus the mail's own context."""
        m = self.config.municipality
        return {
            "gemeente": m.name,
            "afzender": m.sender_name,
            "po_mailbox": str(m.po_mailbox),
            "ontvanger": to,
            "vandaag": self.day,
            "base_url": self.settings.resolved_base_url(),
            **context,
        }

    def _ics_of(self, invitation: Invitation | None) -> str | None:
        """The invitation's text, written once per context (same DTSTAMP for everyone)."""
        if invitation is None:
            return None
        ics = self._ics.get(invitation)
        if ics is None:
            ics = self._ics[invitation] = build_ics(invitation, stamp=utcnow())
        return ics

    def audit(self, action: str, entity_type: str, entity_id: str, **detail: Any) -> None:
        """Record a state change in the append-only audit log (X-4)."""
        audit.record(
            self.session,
            actor=self.actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            municipality=self.municipality,
            **detail,
        )

    def invitation_for(
        self,
        step: Step,
        *,
        summary: str,
        description: str,
        location: str,
        attendees: Iterable[Recipient],
        cancelled: bool = False,
    ) -> Invitation:
        """The calendar invitation of an appointment step: stable uid, its current sequence."""
        m = self.config.municipality
        if step.starts_at is None or step.ends_at is None:
            raise ValueError(f"step {step.id} has no appointment time")
        return Invitation(
            uid=f"poflow-step-{step.id}@{self.municipality}.poflow",
            sequence=step.sequence,
            starts_at=step.starts_at,
            ends_at=step.ends_at,
            summary=summary,
            location=location,
            description=description,
            organizer_name=m.sender_name,
            organizer_email=str(m.sender_email),
            attendees=tuple((r.name, r.email) for r in attendees),
            cancelled=cancelled,
        )


@dataclass
class DayReport:
    """What one pass did, in counts and ids only (safe for Prefect, X-3)."""

    planned_hires: list[str] = field(default_factory=list)
    performed: int = 0
    skipped: int = 0
    failed_actions: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DayWork:
    """Which municipalities have hires to plan, and which have work to perform, on a day."""

    to_plan: list[str]
    to_perform: list[str]  # actions due, or hires to plan (planning can make actions due)


MUNICIPALITIES_PER_PASS = 32  # a perform pass (and dispatcher task) serves up to this many


def perform_groups(slugs: Sequence[str], size: int = MUNICIPALITIES_PER_PASS) -> list[list[str]]:
    """`slugs` in groups of at most `size`, in order: one perform pass (one task) each.

    One pass claims its batches across its municipalities, so a country of municipalities with
    a few due actions each takes a few batches per group rather than per municipality, while
    a failure still names few municipalities and a retry repeats one group's pass.
    """
    return [list(group) for group in chunked(list(slugs), size)]


def municipalities_with_work(session: Session, day: date, slugs: Iterable[str]) -> DayWork:
    """The municipalities among `slugs` with a hire to plan or an action due on or before `day`.

    Two indexed queries for the whole country, so a dispatcher run starts tasks (and
    transactions) only where there is work: on a quiet day that is none of the 342 instead of
    three tasks each; on a busy day no planning pass where nobody needs planning.
    """
    to_plan = (
        select(Hire.municipality)
        .distinct()
        .where(Hire.planned_version < Hire.version, Hire.state == HireState.PLANNED)
    )
    due = (
        select(Action.municipality)
        .distinct()
        .where(Action.state == ActionState.PENDING, Action.due_date <= day)
    )
    planning = set(session.scalars(to_plan))
    performing = planning | set(session.scalars(due))
    slugs = list(slugs)
    return DayWork(
        to_plan=[slug for slug in slugs if slug in planning],
        to_perform=[slug for slug in slugs if slug in performing],
    )


def plan_hires(
    factory: sessionmaker[Session], config: MunicipalityConfig, settings: Settings, day: date
) -> list[str]:
    """Run every planner for each hire whose current version is not planned yet."""
    planned: list[str] = []
    with factory() as session, session.begin():
        query = (
            select(Hire)
            .where(
                Hire.municipality == config.slug,
                Hire.planned_version < Hire.version,
                Hire.state == HireState.PLANNED,
            )
            .order_by(Hire.id)
        )
        if session.get_bind().dialect.name == "postgresql":
            # A second dispatcher waits here, then finds the hires planned (X-1; SQLite's
            # BEGIN IMMEDIATE already serialises the two).
            query = query.with_for_update(of=Hire)
        hires = session.scalars(query).all()
        for hire in hires:
            ctx = Context(session, config, settings, day)
            for fn in _PLANNERS.values():
                fn(ctx, hire)
            hire.planned_version = hire.version
            ctx.audit("hire.planned", "hire", hire.id, version=hire.version)
            planned.append(hire.id)
    return planned


def perform_due(
    factory: sessionmaker[Session],
    config: MunicipalityConfig,
    settings: Settings,
    day: date,
    *,
    batch_size: int = 500,
) -> DayReport:
    """Perform every pending action of one municipality due on or before `day`, once each."""
    return perform_due_in(factory, [config], settings, day, batch_size=batch_size)[config.slug]


def perform_due_in(
    factory: sessionmaker[Session],
    configs: Sequence[MunicipalityConfig],
    settings: Settings,
    day: date,
    *,
    batch_size: int = 500,
) -> dict[str, DayReport]:
    """Perform every pending action of these municipalities due on or before `day`, once each;
    a report per municipality.

    Actions are claimed in batches, oldest first, across the municipalities (PostgreSQL: FOR
    UPDATE SKIP LOCKED, so two dispatchers split the work): a day with a few actions in each
    of many municipalities takes a few batches, not a few per municipality. Within a batch each
    action's handler gets its own municipality's Context. A batch first runs in one transaction
    without savepoints; when anything in it fails, that transaction is rolled back and the batch
    is claimed again and performed with a savepoint per action: a failing handler then leaves
    its action pending for the next run and the others go on. Savepoints cost a flush per action
    and per mail, a third of a quiet batch.
    """
    by_slug = {config.slug: config for config in configs}
    with one_connection(factory) as on_one:
        return _perform_batches(on_one, by_slug, settings, day, batch_size)


def _perform_batches(
    factory: sessionmaker[Session],
    configs: dict[str, MunicipalityConfig],
    settings: Settings,
    day: date,
    batch_size: int,
) -> dict[str, DayReport]:
    """perform_due_in's loop: claim, perform and commit batches until none is left."""
    reports = {slug: DayReport() for slug in configs}
    failed: list[int] = []
    careful = False
    while True:
        try:
            with factory() as session, session.begin():
                batch = _claim(session, list(configs), day, batch_size, failed)
                if not batch:
                    return reports
                hires = _load_hires(session, batch)  # held: handlers find them without a query
                session.info[SAVEPOINTS] = careful
                slugs = {action.id: action.municipality for action in batch}
                contexts: dict[str, Context] = {}

                def context(slug: str, session: Session = session) -> Context:
                    ctx = contexts.get(slug)
                    if ctx is None:
                        ctx = contexts[slug] = Context(session, configs[slug], settings, day)
                    return ctx

                outcome = _perform_batch(session, context, batch, careful=careful)
                del hires
                # A short batch that added no action was the last: no claim that finds nothing.
                # Unless it held actions others wait for: those may have been held back.
                last = (
                    len(batch) < batch_size and not session.info.get(_ADDED) and not _awaited(batch)
                )
        except Exception:
            if careful:
                raise
            careful = True  # redo this batch action by action, each in its savepoint
            continue
        careful = False
        for action_id, done in outcome.items():
            report = reports[slugs[action_id]]
            if done is None:
                report.failed_actions.append(action_id)
                failed.append(action_id)
            elif done:
                report.performed += 1
            else:
                report.skipped += 1
        if last:
            return reports


def _claim(
    session: Session, slugs: list[str], day: date, limit: int, failed: list[int]
) -> list[Action]:
    """The next batch of due actions, a municipality's oldest first, municipality after
    municipality, so a batch holds few municipalities (failed ones stay pending: not retried
    today)."""
    query = (
        select(Action)
        .options(lazyload(Action.step))
        .where(
            Action.state == ActionState.PENDING,
            Action.due_date <= day,
            one_of(session, Action.municipality, slugs),
        )
        .order_by(Action.municipality, Action.due_date, Action.id)
        .limit(limit)
    )
    if failed:
        query = query.where(Action.id.not_in(failed))
    for kind, before in _WAITS.items():
        # Read without locking, so rows another dispatcher holds count as pending.
        prior = aliased(Action)
        blocked = select(prior.municipality).where(
            prior.state == ActionState.PENDING,
            prior.due_date <= day,
            prior.kind.in_(sorted(before)),
            one_of(session, prior.municipality, slugs),
        )
        if failed:
            blocked = blocked.where(prior.id.not_in(failed))
        query = query.where(or_(Action.kind != kind, Action.municipality.not_in(blocked)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Action)
    batch = list(session.scalars(query))
    # Their steps come in a second query by id and are set on the actions as loaded. Joined to
    # the locked, sorted and limited claim, PostgreSQL hashed the whole step table for every
    # batch (85 ms instead of 9).
    steps: dict[int, Step] = {}
    for part in chunked([a.step_id for a in batch if a.step_id is not None]):
        steps.update(
            (step.id, step)
            for step in session.scalars(select(Step).where(one_of(session, Step.id, part)))
        )
    for action in batch:
        set_committed_value(action, "step", steps.get(action.step_id))
    return batch


def _awaited(batch: list[Action]) -> bool:
    """Whether the batch held an action of a kind another kind waits for."""
    awaited = frozenset[str]().union(*_WAITS.values())
    return any(action.kind in awaited for action in batch)


def _perform_batch(
    session: Session, context: Callable[[str], Context], batch: list[Action], *, careful: bool
) -> dict[int, bool | None]:
    """Perform each action with its municipality's context: done (True), skipped (False) or
    failed (None) per action id. Without `careful` a failure raises.

    Without `careful`, consecutive actions whose kind has a batch handler go to it together,
    whatever their municipalities, and are recorded together.
    """
    outcome: dict[int, bool | None] = {}
    i = 0
    while i < len(batch):
        action = batch[i]
        bulk = None if careful else _BATCH_HANDLERS.get(action.kind)
        if bulk is not None:
            j = i
            while j < len(batch) and _BATCH_HANDLERS.get(batch[j].kind) is bulk:
                j += 1
            run, i = batch[i:j], j
            done = bulk(
                {slug: context(slug) for slug in dict.fromkeys(each.municipality for each in run)},
                run,
            )
            _record_many(session, run, done)
            outcome.update(done)
            continue
        i += 1
        ctx = context(action.municipality)
        if not careful:
            outcome[action.id] = _perform(ctx, action)
            continue
        try:
            with session.begin_nested():
                outcome[action.id] = _perform(ctx, action)
        except Exception as exc:  # noqa: BLE001  (one bad action must not stop the day)
            log.error("action %s (%s) failed: %s", action.id, action.kind, _describe(exc))
            outcome[action.id] = None
    return outcome


def _perform(ctx: Context, action: Action) -> bool:
    """Run the action's handler and record done or skipped."""
    fn = _HANDLERS.get(action.kind)
    performed = fn(ctx, action) if fn else False
    _record(ctx, action, performed)
    return performed


def _record(ctx: Context, action: Action, performed: bool) -> None:
    """Mark the action done or skipped, audited (X-4: every state change)."""
    target = ActionState.DONE if performed else ActionState.SKIPPED
    check_transition(f"action {action.id}", action.state, target)
    action.state = target
    action.done_at = utcnow()
    ctx.audit(
        f"action.{target.value}",
        "action",
        str(action.id),
        kind=action.kind,
        case_type=action.case_type,
        case_id=action.case_id,
    )


def _record_many(session: Session, actions: list[Action], outcome: dict[int, bool]) -> None:
    """_record for a batch handler's actions, set-based: per outcome one UPDATE of the actions
    and one INSERT ... SELECT of their audit rows (the same rows `_record` writes, each with its
    action's municipality, X-4); on PostgreSQL both in one statement.

    The loaded Action objects are given the new state as committed values, so the session
    neither writes them again nor answers from the old state.
    """
    now = utcnow()
    targets: dict[ActionState, list[Action]] = {ActionState.DONE: [], ActionState.SKIPPED: []}
    for action in actions:
        target = ActionState.DONE if outcome[action.id] else ActionState.SKIPPED
        check_transition(f"action {action.id}", action.state, target)
        targets[target].append(action)
    table = Action.__table__
    audited = (
        table.c.id.label("entity_id"),
        table.c.municipality,
        table.c.kind,
        table.c.case_type,
        table.c.case_id,
    )
    one_statement = session.get_bind().dialect.name == "postgresql"
    for target, done in targets.items():
        for part in chunked([a.id for a in done]):
            change = (
                update(table)
                .where(one_of(session, table.c.id, part))
                .values(state=target, done_at=now)
            )
            if one_statement:  # WITH changed AS (UPDATE ... RETURNING) INSERT INTO audit ...
                rows = select(change.returning(*audited).cte("changed"))
            else:
                session.execute(change)
                rows = select(*audited).where(one_of(session, table.c.id, part))
            audit.record_selected(
                session,
                rows,
                actor=SYSTEM_ACTOR,
                action=f"action.{target.value}",
                entity_type="action",
            )
        for action in done:
            set_committed_value(action, "state", target)
            set_committed_value(action, "done_at", now)


def _load_hires(session: Session, batch: list[Action]) -> list[Hire]:
    """The hires (with manager and buddy) of a batch's hire cases, read in one query."""
    ids = {a.case_id for a in batch if a.case_type == "hire"}
    if not ids:
        return []
    # The manager's and buddy's roles are read only by the few handlers that check them.
    people = (
        joinedload(Hire.manager).lazyload(Person.roles),
        joinedload(Hire.buddy).lazyload(Person.roles),
    )
    return list(
        session.scalars(
            select(Hire).where(one_of(session, Hire.id, list(ids))).options(*people)
        ).unique()
    )


def _describe(exc: BaseException) -> str:
    """Where and what failed, without the exception's text when that may hold personal data.

    poflow's own exceptions carry ids only; a driver's or library's text can quote row values
    (names, addresses), so for those only the type and the raising line are given (X-3).
    """
    from poflow._exceptions import PoflowError

    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
    if isinstance(exc, PoflowError):
        return f"{type(exc).__name__}: {exc} (at {where})"
    return f"{type(exc).__name__} (at {where})"


def live_hire(ctx: Context, action: Action) -> Hire | None:
    """The action's hire while it still runs, or None: nothing is sent for a cancelled hire
    (ONB-5), nor about a step that is already done or cancelled."""
    hire = ctx.session.get(Hire, action.case_id)
    if hire is None or hire.state == HireState.CANCELLED:
        return None
    step = action.step
    return hire if step is None or step.state == StepState.OPEN else None


def live_hire_step(ctx: Context, action: Action) -> tuple[Hire, Step] | None:
    """The action's hire and open step, or None when either has ended (see live_hire)."""
    hire = live_hire(ctx, action)
    return None if hire is None or action.step is None else (hire, action.step)


def cancel_pending_actions(session: Session, *, case_type: str, case_id: str) -> int:
    """Cancel every pending action of a case (a move or a cancellation supersedes them)."""
    result = session.execute(
        update(Action)
        .where(
            Action.case_type == case_type,
            Action.case_id == case_id,
            Action.state == ActionState.PENDING,
        )
        .values(state=ActionState.CANCELLED, done_at=utcnow())
    )
    return result.rowcount or 0


def cancel_queued_mail(session: Session, *, case_type: str, case_id: str) -> int:
    """Withdraw the case's messages that have not gone out yet."""
    result = session.execute(
        update(Outbox)
        .where(
            Outbox.case_type == case_type,
            Outbox.case_id == case_id,
            Outbox.state == MailState.QUEUED,
        )
        .values(state=MailState.CANCELLED)
    )
    return result.rowcount or 0


def invited_recipients(session: Session, step: Step) -> list[tuple[str | None, str]]:
    """(recipient id, address) of everyone a sent invitation of `step` reached."""
    rows = session.execute(
        select(Outbox.recipient_id, Outbox.recipient_email)
        .join(Action, Outbox.action_id == Action.id)
        .where(
            Action.step_id == step.id,
            Outbox.ics_method == "REQUEST",
            Outbox.state == MailState.SENT,
        )
        .distinct()
    ).all()
    return [(r[0], r[1]) for r in rows]


def step_close(step: Step, target: StepState, *, by: str, note: str | None = None) -> None:
    """Move a step to done or cancelled, checked against the allowed transitions."""
    check_transition(f"step {step.key} of {step.case_type} {step.case_id}", step.state, target)
    step.state = target
    step.done_at = utcnow()
    step.done_by = by
    if note is not None:
        step.note = note


def days(n: int) -> timedelta:
    """Shorthand for a timedelta of `n` days."""
    return timedelta(days=n)
