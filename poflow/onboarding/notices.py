"""Filing an item's notices (ONB-3): each recipient's notice waits for their one digest of the day.

An item's dated notices (announce, remind, escalate to the leidinggevende, escalate to P&O) are
engine actions. Performing one does not mail: it files an `OnboardingNotice` per recipient and
makes sure that recipient has a pending digest action for the day (`poflow.onboarding.digest`
sends it). Its key, `onb.digest:<municipality>:<recipient>:<day>:<n>`, is also the outbox key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from poflow.db.base import chunked, insert_for, insert_rows, one_of
from poflow.db.models import Action, Hire, Step
from poflow.engine import Context, live_hire_step, note_actions_added
from poflow.kernel.vocabulary import Role
from poflow.mail.outbox import SAVEPOINTS
from poflow.onboarding.models import OnboardingNotice
from poflow.onboarding.rules import Audience, Level, notice_audience
from poflow.states import ActionState

__all__ = [
    "DIGEST",
    "DIGEST_CASE",
    "NOTICE_KINDS",
    "PO",
    "file_notice",
    "file_notices",
    "notice_kind",
]

DIGEST = "onb.digest"  # the action kind of a digest
DIGEST_CASE = "onb_digest"  # the case type of a digest's action and mail: its recipient key
PO = "po"  # the recipient key of the P&O team mailbox


def notice_kind(level: Level) -> str:
    """The engine action kind of a notice level, e.g. "onb.remind"."""
    return f"onb.{level.value}"


NOTICE_KINDS = tuple(notice_kind(level) for level in Level)


# The recipient keys of each audience of notice_audience but the role's holders, from the hire.
_KEYS: dict[Audience, Callable[[Hire], list[str]]] = {
    Audience.PO: lambda hire: [PO],
    Audience.MANAGER: lambda hire: [f"p:{hire.manager_id}"],
    # no buddy yet: the leidinggevende looks after it
    Audience.BUDDY: lambda hire: [f"p:{hire.buddy_id or hire.manager_id}"],
    Audience.HIRE: lambda hire: [f"h:{hire.id}"],
}


class _Recipients(dict[tuple[Level, str], Callable[[Hire], list[str]] | None]):
    """notice_audience's keys per (level, owner), each worked out once: filing runs for every
    notice of a national peak day. None: the holders of the owner's role."""

    def __missing__(self, pair: tuple[Level, str]) -> Callable[[Hire], list[str]] | None:
        found = self[pair] = _KEYS.get(notice_audience(*pair))
        return found


_RECIPIENTS = _Recipients()


def _recipient_keys(ctx: Context, hire: Hire, step: Step, level: Level) -> list[str]:
    """Who hears about the item at this level (notice_audience): "po", "p:<person>", "h:<hire>"."""
    role = step.owner_role or Role.PO_ADVISEUR
    keys_of = _RECIPIENTS[level, role]
    if keys_of is not None:
        return keys_of(hire)
    holders = ctx.memo.get(("role", role))  # the same few people for every item of a batch
    if holders is None:
        holders = ctx.memo[("role", role)] = [f"p:{p.id}" for p in ctx.people_with_role(role)]
    return list(holders) or [PO]


def _insert_digests(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT the digest actions `rows` unless their keys exist.

    On PostgreSQL in a transaction of their own, committed at once: two workers filing notices
    for the same recipient (the P&O mailbox, every batch) otherwise waited, on the second's
    insert of the same key, for the first's whole batch to commit (a third of the scale-out's
    idle time). A batch that then fails leaves its digest actions pending without notices;
    they are skipped when due (send_digests). On SQLite the batch holds the only write lock,
    so no other writer exists to wait for: the rows go into its own transaction.
    """
    insert = insert_for(session, Action.__table__).on_conflict_do_nothing(index_elements=["key"])
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        session.execute(insert, rows)
        return
    with bind.engine.begin() as own:
        own.execute(insert, rows)


def _ensure_digests(ctxs: dict[str, Context], wanted: list[tuple[str, str]]) -> None:
    """Make sure each (municipality, recipient key) has one pending digest action for today
    (its key: see the module docstring; when it runs: see poflow.onboarding.digest).

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
            _insert_digests(
                session,
                [
                    {
                        "municipality": slug,
                        "case_type": DIGEST_CASE,
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
