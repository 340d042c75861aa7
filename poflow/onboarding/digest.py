"""ONB-3: an owner hears about checklist items in one digest a day, each item with a done link.

An item's dated notices are filed per recipient (`poflow.onboarding.notices`), and filing one
makes sure that recipient has a pending digest action for the day. The digest action runs after
every notice of the day: it is created last, due today, and the engine claims it only once its
municipality has no due notice pending, also not one another dispatcher is filing right now
(its `waits_for` in the process declaration). It sends the recipient ONE mail with all their
waiting notices. Its key, `onb.digest:<municipality>:<recipient>:<day>:<n>`, is also the outbox
key: a re-run of the day finds no pending action and sends nothing; notices filed after the
day's digest went out (a re-run after a move) get digest n+1 rather than being lost.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, lazyload

from poflow import audit
from poflow._exceptions import NotFound
from poflow.db.base import chunked, one_of
from poflow.db.models import Action, Hire, Person, Step
from poflow.engine import SYSTEM_ACTOR, BatchHandler, Context, Handler
from poflow.kernel.vocabulary import CaseType
from poflow.links import link_urls
from poflow.mail.outbox import Recipient, queue_rows
from poflow.onboarding.links import ITEM_DONE
from poflow.onboarding.models import OnboardingNotice
from poflow.onboarding.notices import (
    DIGEST,
    DIGEST_CASE,
    NOTICE_KINDS,
    PO,
    file_notice,
    file_notices,
)
from poflow.onboarding.rules import LEVEL_RANK, OWNER_LABELS, Level, Phase
from poflow.onboarding.steps import ITEM_PREFIX
from poflow.states import HireState, StepState

__all__ = ["BATCH_HANDLERS", "HANDLERS", "TEMPLATE", "WAITS_FOR", "send_digest", "send_digests"]

TEMPLATE = "onboarding/digest"
_VOID = "vervallen"  # digest_key of a notice whose item closed before its digest went out
_ORDER = LEVEL_RANK  # a digest shows an item once, at its highest level
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


def _subject_id(key: str) -> str:
    return key if key == PO else key.partition(":")[2]


_NOTICES = cast(Table, OnboardingNotice.__table__)  # a mapped class's table is a Table
_NOTICE, _STEP, _HIRE = _NOTICES.c, Step.__table__.c, Hire.__table__.c
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
                row.id, f"{row.given_name} {row.family_name}", row.email, row.given_name
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
        who = keys[action.id]
        rows = waiting.pop(who, [])  # a second digest of the same recipient finds none
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
            digests.append((action, who, list(best.values()), len(rows)))
    if carried:
        session.execute(
            update(_NOTICES)
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
                        "case_type": CaseType.HIRE,
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
                    "template": TEMPLATE,
                    "to": to[slug, key],
                    "context": {"secties": sections, "aantal": len(items)},
                    "case_type": DIGEST_CASE,
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
        "item": row.item.removeprefix(ITEM_PREFIX),
        "deadline": row.due_date,
        "fase": Phase((row.data or {}).get("phase", Phase.VOOR.value)).label,
        "eigenaar": OWNER_LABELS.get(row.owner_role or "", row.owner_role or ""),
        "link": link,
    }


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
