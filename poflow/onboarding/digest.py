"""ONB-3: an owner hears about checklist items in one digest a day, each item with a done link.

An item's dated notices (announce, remind, escalate to the leidinggevende, escalate to P&O) are
engine actions. Performing one does not mail: it files an `OnboardingNotice` per recipient and
makes sure that recipient has a pending digest action for the day. The digest action runs after
every notice of the day: it is created last, due today, and the engine claims it only once its
municipality has no due notice pending, also not one another dispatcher is filing right now
(its `waits_for` in the process declaration). It sends the recipient ONE mail with all their waiting notices.
Its key, `onb.digest:<municipality>:<recipient>:<day>:<n>`, is also the outbox key: a re-run of
the day finds no pending action and sends nothing; notices filed after the day's digest went
out (a re-run after a move) get digest n+1 rather than being lost.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, lazyload, mapped_column

from poflow import audit
from poflow._exceptions import ActionRefused, NotFound
from poflow.db.base import Base, UTCDateTime, chunked, insert_for, insert_rows, one_of, utcnow
from poflow.db.models import Action, Hire, Person, Step
from poflow.engine import (
    SYSTEM_ACTOR,
    BatchHandler,
    Context,
    Handler,
    live_hire_step,
    note_actions_added,
    step_close,
)
from poflow.links import ActionLink, LinkAction, link_urls
from poflow.mail.outbox import SAVEPOINTS, Recipient, queue_rows
from poflow.onboarding.checklist import Level, Phase
from poflow.states import ActionState, HireState, StepState

__all__ = [
    "DIGEST",
    "ITEM_DONE",
    "OWNER_LABELS",
    "PO",
    "OnboardingNotice",
    "mark_item_done",
    "notice_kind",
]

DIGEST = "onb.digest"
ITEM_DONE = "onb.item_done"
PO = "po"  # the recipient key of the P&O team mailbox
_VOID = "vervallen"  # digest_key of a notice whose item closed before its digest went out
OWNER_LABELS = {
    "po_adviseur": "P&O",
    "leidinggevende": "leidinggevende",
    "ict": "ICT",
    "facilitair": "Facilitaire zaken",
    "buddy": "buddy",
    "medewerker": "nieuwe collega",
}
_ORDER = {Level.ANNOUNCE: 0, Level.REMIND: 1, Level.ESCALATE_MANAGER: 2, Level.ESCALATE_PO: 3}
_SECTIONS = {
    Level.ANNOUNCE: ("Binnenkort te doen", "Deze punten staan de komende dagen op jouw naam."),
    Level.REMIND: ("Herinnering", "De datum van deze punten is voorbij en ze staan nog open."),
    Level.ESCALATE_MANAGER: (
        "Nog open in je team",
        "Deze punten van anderen voor je nieuwe "
        "collega zijn over de datum. Wil je even navragen hoe het staat?",
    ),
    Level.ESCALATE_PO: ("Escalatie", "Deze punten zijn ruim over de datum en nog niet afgerond."),
}


def notice_kind(level: Level) -> str:
    """The engine action kind of a notice level, e.g. "onb.remind"."""
    return f"onb.{level.value}"


class OnboardingNotice(Base):
    """One recipient's notice of one checklist item at one level, until a digest carries it."""

    __tablename__ = "onboarding_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality: Mapped[str] = mapped_column(String(64))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"))
    hire_id: Mapped[str] = mapped_column(String(40))
    level: Mapped[Level] = mapped_column(
        Enum(Level, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    recipient_key: Mapped[str] = mapped_column(String(48))  # "po", "p:<person>", "h:<hire>"
    day: Mapped[date] = mapped_column(Date)
    digest_key: Mapped[str | None] = mapped_column(String(200))  # the digest that carried it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("action_id", "recipient_key"),
        Index("ix_onboarding_notice_waiting", "municipality", "recipient_key", "digest_key"),
    )


def _recipient_keys(ctx: Context, hire: Hire, step: Step, level: Level) -> list[str]:
    """Who hears about the item at this level: its owner(s), the leidinggevende, or P&O."""
    if level == Level.ESCALATE_PO:
        return [PO]
    if level == Level.ESCALATE_MANAGER:
        return [f"p:{hire.manager_id}"]
    role = step.owner_role or "po_adviseur"
    if role == "leidinggevende":
        return [f"p:{hire.manager_id}"]
    if role == "buddy":  # no buddy yet: the leidinggevende looks after it
        return [f"p:{hire.buddy_id or hire.manager_id}"]
    if role == "medewerker":
        return [f"h:{hire.id}"]
    if role == "po_adviseur":
        return [PO]
    holders = ctx.memo.get(("role", role))  # the same few people for every item of a batch
    if holders is None:
        holders = ctx.memo[("role", role)] = [f"p:{p.id}" for p in ctx.people_with_role(role)]
    return list(holders) or [PO]


def _ensure_digests(ctxs: dict[str, Context], wanted: list[tuple[str, str]]) -> None:
    """Make sure each (municipality, recipient key) has one pending digest action for today
    (see module docstring).

    Digest actions are inserted with ON CONFLICT DO NOTHING and read back: two dispatchers
    filing notices for the same recipient at once (PostgreSQL) then share one digest instead of
    one of them failing on the unique key. All recipients of a batch, in every municipality,
    take one INSERT and one read-back; without savepoints the digest found is remembered, so
    the next notice for the same recipient costs no query.
    """
    session = next(iter(ctxs.values())).session
    careful = session.info.get(SAVEPOINTS, True)
    missing = []
    for slug, key in dict.fromkeys(wanted):
        known = None if careful else ctxs[slug].memo.get((DIGEST, key))
        if known is None or known.state != ActionState.PENDING:
            missing.append((slug, key))
    if not missing:
        return
    number = dict.fromkeys(missing, 1)
    pending: dict[tuple[str, str], Action] = {}
    with session.no_autoflush:  # nothing of this session's digests waits unflushed
        # Digest n of the day: inserted unless it exists, then read back by its unique key. If
        # it exists but was sent already (a re-run after a move), n+1 is the one to fill.
        while missing:
            made = {
                f"{DIGEST}:{slug}:{key}:{ctxs[slug].day.isoformat()}:{number[slug, key]}": (
                    slug,
                    key,
                )
                for slug, key in missing
            }
            note_actions_added(session)
            session.execute(
                insert_for(session, Action.__table__).on_conflict_do_nothing(
                    index_elements=["key"]
                ),
                [
                    {
                        "municipality": slug,
                        "case_type": "onb_digest",
                        "case_id": key[:40],
                        "kind": DIGEST,
                        "key": made_key,
                        "due_date": ctxs[slug].day,
                        "state": ActionState.PENDING,
                    }
                    for made_key, (slug, key) in made.items()
                ],
            )
            for part in chunked(list(made)):
                for action in session.scalars(
                    select(Action)
                    .options(lazyload(Action.step))
                    .where(one_of(session, Action.key, part))
                ):
                    if action.state == ActionState.PENDING:
                        pending[made[action.key]] = action
            for each in missing:
                number[each] += 1
            missing = [each for each in missing if each not in pending]
    if not careful:
        for (slug, key), action in pending.items():
            ctxs[slug].memo[(DIGEST, key)] = action


def file_notice(ctx: Context, action: Action) -> bool:
    """File the item's notice for each recipient of this level; skipped once the item is done."""
    live = live_hire_step(ctx, action)
    if live is None:
        return False
    hire, step = live
    level = Level(action.kind.removeprefix("onb."))
    keys = _recipient_keys(ctx, hire, step, level)
    for key in keys:
        ctx.session.add(
            OnboardingNotice(
                municipality=ctx.municipality,
                action_id=action.id,
                step_id=step.id,
                hire_id=hire.id,
                level=level,
                recipient_key=key,
                day=ctx.day,
            )
        )
    _ensure_digests({ctx.municipality: ctx}, [(ctx.municipality, key) for key in keys])
    return bool(keys)


def file_notices(ctxs: dict[str, Context], actions: list[Action]) -> dict[int, bool]:
    """file_notice for many actions, of any of the municipalities in `ctxs`, at once: the
    notices and the digests go in with one INSERT each."""
    rows: list[dict[str, Any]] = []
    outcome: dict[int, bool] = {}
    for action in actions:
        ctx = ctxs[action.municipality]
        live = live_hire_step(ctx, action)
        if live is None:
            outcome[action.id] = False
            continue
        hire, step = live
        level = Level(action.kind.removeprefix("onb."))
        keys = _recipient_keys(ctx, hire, step, level)
        for key in keys:
            rows.append(
                {
                    "municipality": ctx.municipality,
                    "action_id": action.id,
                    "step_id": step.id,
                    "hire_id": hire.id,
                    "level": level,
                    "recipient_key": key,
                    "day": ctx.day,
                    "digest_key": None,
                }
            )
        outcome[action.id] = bool(keys)
    if rows:
        _ensure_digests(ctxs, [(row["municipality"], row["recipient_key"]) for row in rows])
        insert_rows(next(iter(ctxs.values())).session, OnboardingNotice.__table__, rows)
    return outcome


def _subject_id(key: str) -> str:
    return key if key == PO else key.partition(":")[2]


_NOTICE, _STEP, _HIRE = OnboardingNotice.__table__.c, Step.__table__.c, Hire.__table__.c
# What a digest shows of a waiting notice, its item and its hire: Core columns, no ORM objects.
_WAITING = (
    _NOTICE.id,
    _NOTICE.step_id,
    _NOTICE.level,
    _NOTICE.recipient_key,
    _STEP.title,
    _STEP.key.label("item"),
    _STEP.due_date,
    _STEP.data,
    _STEP.owner_role,
    _STEP.state.label("step_state"),
    _HIRE.id.label("hire_id"),
    _HIRE.given_name,
    _HIRE.family_name,
    _HIRE.state.label("hire_state"),
)


def _waiting_notices(
    session: Session, wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], list[Any]]:
    """The notices no digest carried yet, per (municipality, recipient key), oldest first (one
    query for a batch)."""
    found: dict[tuple[str, str], list[Any]] = {each: [] for each in wanted}
    for part in chunked(wanted):
        rows = session.execute(
            select(_NOTICE.municipality, *_WAITING)
            .select_from(
                OnboardingNotice.__table__.outerjoin(
                    Step.__table__, _STEP.id == _NOTICE.step_id
                ).outerjoin(Hire.__table__, _HIRE.id == _NOTICE.hire_id)
            )
            .where(
                one_of(session, _NOTICE.municipality, list({slug for slug, _ in part})),
                one_of(session, _NOTICE.recipient_key, list({key for _, key in part})),
                _NOTICE.digest_key.is_(None),
            )
            .order_by(_NOTICE.id)
        )
        for row in rows:
            mine = found.get((row.municipality, row.recipient_key))
            if mine is not None:  # not another municipality's recipient of the same key
                mine.append(row)
    return found


def _recipients(
    ctxs: dict[str, Context], wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], Recipient]:
    """The mail recipient behind each (municipality, recipient key): a query for the people
    and one for the hires of a whole batch."""
    session = next(iter(ctxs.values())).session
    people = {key.partition(":")[2] for _, key in wanted if key.startswith("p:")}
    hires = {key.partition(":")[2] for _, key in wanted if key.startswith("h:")}
    by_key: dict[str, Any] = {}
    person = Person.__table__.c
    for part in chunked(sorted(people)):
        for row in session.execute(
            select(person.id, person.given_name, person.family_name, person.email).where(
                one_of(session, person.id, part)
            )
        ):
            by_key[f"p:{row.id}"] = Recipient(
                row.id, f"{row.given_name} {row.family_name}", row.email
            )
    for part in chunked(sorted(hires)):
        for hire in session.scalars(
            select(Hire)
            .where(one_of(session, Hire.id, part))
            .options(lazyload(Hire.manager), lazyload(Hire.buddy))
        ):
            by_key[f"h:{hire.id}"] = hire
    found: dict[tuple[str, str], Recipient] = {}
    for slug, key in wanted:
        known = ctxs[slug].po_recipient() if key == PO else by_key.get(key)
        if known is None:
            raise NotFound(f"Cannot address onboarding digest: {key} does not exist ({slug})")
        found[slug, key] = ctxs[slug].hire_recipient(known) if isinstance(known, Hire) else known
    return found


def _key_of(action: Action) -> tuple[str, str]:
    """The municipality and recipient key in a digest action's key."""
    return action.municipality, action.key.removeprefix(f"{DIGEST}:{action.municipality}:").rsplit(
        ":", 2
    )[0]


def send_digest(ctx: Context, action: Action) -> bool:
    """Send the recipient one mail with every waiting notice, grouped by level (ONB-3)."""
    return send_digests({ctx.municipality: ctx}, [action])[action.id]


def send_digests(ctxs: dict[str, Context], actions: list[Action]) -> dict[int, bool]:
    """send_digest for many recipients, of any of the municipalities in `ctxs`, at once: a
    query, an UPDATE and an INSERT each for the notices, the links, the mails and the audit
    rows, plus rendering one mail per recipient.

    A recipient's first digest action in the batch carries all their waiting notices; a second
    one (an earlier day's, left pending) finds none and is skipped, as it would be one by one.
    Notices of an item or hire that closed meanwhile are carried as void and not shown.
    """
    session = next(iter(ctxs.values())).session
    keys = {action.id: _key_of(action) for action in actions}
    waiting = _waiting_notices(session, list(dict.fromkeys(keys.values())))
    outcome: dict[int, bool] = {}
    carried: list[dict[str, Any]] = []
    digests: list[tuple[Action, tuple[str, str], list[Any], int]] = []
    for action in actions:
        key = keys[action.id]
        rows = waiting.pop(key, [])  # a second digest of the same recipient finds none
        best: dict[int, Any] = {}
        for row in rows:
            live = (
                row.title is not None
                and row.hire_id is not None
                and row.step_state == StepState.OPEN
                and row.hire_state == HireState.PLANNED
            )
            carried.append({"notice": row.id, "digest": action.key if live else _VOID})
            if live and (
                row.step_id not in best
                or _ORDER[Level(row.level)] > _ORDER[Level(best[row.step_id].level)]
            ):
                best[row.step_id] = row
        outcome[action.id] = bool(best)
        if best:
            digests.append((action, key, list(best.values()), len(rows)))
    if carried:
        session.execute(
            update(OnboardingNotice.__table__)
            .where(_NOTICE.id == bindparam("notice"))
            .values(digest_key=bindparam("digest")),
            carried,
        )
    if not digests:
        return outcome
    links = iter(
        link_urls(
            [
                (
                    ctxs[slug],
                    {
                        "action": ITEM_DONE,
                        "subject_id": _subject_id(key),
                        "case_type": "hire",
                        "case_id": row.hire_id,
                        "step_id": row.step_id,
                    },
                )
                for _, (slug, key), items, _ in digests
                for row in items
            ]
        )
    )
    to = _recipients(ctxs, list(dict.fromkeys(key for _, key, _, _ in digests)))
    mails = []
    for action, (slug, key), items, _ in digests:
        entries = [_entry(row, next(links)) for row in items]
        sections = []
        for level, (title, intro) in _SECTIONS.items():
            shown = sorted(
                (e for e, row in zip(entries, items, strict=True) if Level(row.level) == level),
                key=lambda e: (e["deadline"], e["hire_id"], e["item"]),
            )
            if shown:
                sections.append(
                    {"niveau": level.value, "kop": title, "uitleg": intro, "punten": shown}
                )
        mails += ctxs[slug].outbox_rows(
            [
                {
                    "key": action.key,
                    "template": "onboarding/digest",
                    "to": to[slug, key],
                    "context": {"secties": sections, "aantal": len(items)},
                    "case_type": "onb_digest",
                    "case_id": key[:40],
                    "action": action,
                }
            ]
        )
    queue_rows(session, mails)
    audit.record_many(
        session,
        actor=SYSTEM_ACTOR,
        entries=(
            (slug, "onb.digest", "recipient", key, {"items": len(items), "notices": notices})
            for _, (slug, key), items, notices in digests
        ),
    )
    return outcome


def _entry(row: Any, link: str) -> dict[str, Any]:
    """One item of a digest, from a waiting-notice row."""
    return {
        "titel": row.title,
        "medewerker": f"{row.given_name} {row.family_name}",
        "hire_id": row.hire_id,
        "item": row.item.removeprefix("onb:"),
        "deadline": row.due_date,
        "fase": Phase((row.data or {}).get("phase", Phase.VOOR.value)).label,
        "eigenaar": OWNER_LABELS.get(row.owner_role or "", row.owner_role or ""),
        "link": link,
    }


def mark_item_done(ctx: Context, step: Step, *, by: str) -> bool:
    """Mark a checklist item done; False when it already was. Later notices are then skipped."""
    if step.state == StepState.DONE:
        return False
    if step.state == StepState.CANCELLED:
        raise ActionRefused(
            f"Punt ‘{step.title}’ van {step.case_id} kan niet worden afgerond: het is vervallen "
            "(de indiensttreding is verplaatst of geannuleerd)."
        )
    step_close(step, StepState.DONE, by=by)
    ctx.audit("step.done", "step", str(step.id), hire=step.case_id, key=step.key)
    return True


def _linked_step(ctx: Context, link: ActionLink) -> Step:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.process != "onb":
        raise NotFound(f"Link {link.public_id[:8]} does not point at an onboarding item")
    return step


def _describe(ctx: Context, link: ActionLink) -> str:
    step = _linked_step(ctx, link)
    hire = ctx.session.get(Hire, step.case_id)
    who = hire.full_name if hire else step.case_id
    return (
        f"Je meldt dat ‘{step.title}’ voor {who} is afgerond "
        f"(gepland op {step.due_date.strftime('%d-%m-%Y')})."
    )


def _perform(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = _linked_step(ctx, link)
    if mark_item_done(ctx, step, by=ctx.actor):
        return f"Dank je wel! ‘{step.title}’ staat nu op afgerond."
    return f"‘{step.title}’ stond al op afgerond; er is niets veranderd."


ITEM_DONE_LINK = LinkAction(
    name=ITEM_DONE,
    title="Punt afgerond",
    describe=_describe,
    perform=_perform,
    button="Markeer als afgerond",
    expires_days=30,
)

NOTICE_KINDS = tuple(notice_kind(level) for level in Level)
# Filing a notice and sending a digest, one action at a time and many at once; the digest
# waits until its municipality has no due notice left (one digest a day, ONB-3).
HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(NOTICE_KINDS, file_notice),
    DIGEST: send_digest,
}
BATCH_HANDLERS: dict[str, BatchHandler] = {
    **dict.fromkeys(NOTICE_KINDS, file_notices),
    DIGEST: send_digests,
}
WAITS_FOR: dict[str, frozenset[str]] = {DIGEST: frozenset(NOTICE_KINDS)}
