"""ONB-3: an owner hears about checklist items in one digest a day, each item with a done link.

An item's dated notices (announce, remind, escalate to the leidinggevende, escalate to P&O) are
engine actions. Performing one does not mail: it files an `OnboardingNotice` per recipient and
makes sure that recipient has a pending digest action for the day. The digest action runs after
every notice of the pass (it is created last, due today) and sends the recipient ONE mail with all
their waiting notices. Its key, `onb.digest:<municipality>:<recipient>:<day>:<n>`, is also the
outbox key: a re-run of the day finds no pending action and sends nothing; notices filed after the
day's digest went out (a re-run after a move) get digest n+1 rather than being lost.
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
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, lazyload, mapped_column

from poflow._exceptions import ActionRefused, NotFound
from poflow.checklist import Level, Phase
from poflow.db.base import Base, UTCDateTime, utcnow
from poflow.db.models import Action, Hire, Step
from poflow.engine import Context, batch_handler, handler, live_hire_step, step_close
from poflow.links import ActionLink, LinkAction, link_url, register_link_action
from poflow.mail.outbox import SAVEPOINTS, Recipient
from poflow.states import ActionState, HireState, StepState

__all__ = [
    "DIGEST",
    "ITEM_DONE",
    "OWNER_LABELS",
    "PO",
    "OnboardingNotice",
    "mark_item_done",
    "notice_kind",
    "recipient_for",
]

DIGEST = "onb.digest"
ITEM_DONE = "onb.item_done"
PO = "po"  # the recipient key of the P&O team mailbox
_VOID = "vervallen"  # digest_key of a notice whose item closed before its digest went out
OWNER_LABELS = {"po_adviseur": "P&O", "leidinggevende": "leidinggevende", "ict": "ICT",
                "facilitair": "Facilitaire zaken", "buddy": "buddy", "medewerker": "nieuwe collega"}
_ORDER = {Level.ANNOUNCE: 0, Level.REMIND: 1, Level.ESCALATE_MANAGER: 2, Level.ESCALATE_PO: 3}
_SECTIONS = {
    Level.ANNOUNCE: ("Binnenkort te doen", "Deze punten staan de komende dagen op jouw naam."),
    Level.REMIND: ("Herinnering", "De datum van deze punten is voorbij en ze staan nog open."),
    Level.ESCALATE_MANAGER: ("Nog open in je team", "Deze punten van anderen voor je nieuwe "
                             "collega zijn over de datum. Wil je even navragen hoe het staat?"),
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
    level: Mapped[Level] = mapped_column(Enum(Level, native_enum=False, length=16,
                                              values_callable=lambda e: [m.value for m in e]))
    recipient_key: Mapped[str] = mapped_column(String(48))  # "po", "p:<person>", "h:<hire>"
    day: Mapped[date] = mapped_column(Date)
    digest_key: Mapped[str | None] = mapped_column(String(200))  # the digest that carried it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("action_id", "recipient_key"),
        Index("ix_onboarding_notice_waiting", "municipality", "recipient_key", "digest_key"),
    )


def recipient_for(ctx: Context, key: str) -> Recipient:
    """The mail recipient behind a recipient key."""
    if key == PO:
        return ctx.po_recipient()
    kind, _, ident = key.partition(":")
    if kind == "h":
        hire = ctx.session.get(Hire, ident)
        if hire is None:
            raise NotFound(f"Cannot address onboarding digest: hire {ident} does not exist")
        return ctx.hire_recipient(hire)
    return ctx.recipient(ctx.person(ident))


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
    return [f"p:{p.id}" for p in ctx.people_with_role(role)] or [PO]


def _ensure_digest(ctx: Context, key: str) -> None:
    """Make sure the recipient has one pending digest action for today (see module docstring).

    The digest action is inserted with ON CONFLICT DO NOTHING and read back: two dispatchers
    filing notices for the same recipient at once (PostgreSQL) then share one digest instead of
    one of them failing on the unique key. Within a batch without savepoints the digest found is
    remembered, so the next notice for the same recipient costs no query.
    """
    careful = ctx.session.info.get(SAVEPOINTS, True)
    known = None if careful else ctx.memo.get((DIGEST, key))
    if known is not None and known.state == ActionState.PENDING:
        return
    prefix = f"{DIGEST}:{ctx.municipality}:{key}:{ctx.day.isoformat()}:"
    case = {"municipality": ctx.municipality, "case_type": "onb_digest", "case_id": key[:40]}
    with ctx.session.no_autoflush:  # nothing of this session's digests waits unflushed
        # Narrow by case and day first (ix_action_case serves it): a bare key-prefix LIKE
        # scanned the whole action table, which cost 80-270 ms a notice at national scale.
        today = ctx.session.scalars(
            select(Action).where(Action.case_type == "onb_digest", Action.case_id == key[:40],
                                 Action.municipality == ctx.municipality,
                                 Action.due_date == ctx.day,
                                 Action.key.startswith(prefix, autoescape=True))
        ).all()
        pending = next((a for a in today if a.state == ActionState.PENDING), None)
        n = len(today)
        while pending is None:  # the next number; taken and already sent: the one after
            n += 1
            ctx.session.execute(_insert_ignoring_duplicate(
                ctx.session, {**case, "kind": DIGEST, "key": f"{prefix}{n}", "due_date": ctx.day,
                              "state": ActionState.PENDING}))
            row = ctx.session.scalars(select(Action).where(Action.key == f"{prefix}{n}")).one()
            pending = row if row.state == ActionState.PENDING else None
    if not careful:
        ctx.memo[(DIGEST, key)] = pending


def _insert_ignoring_duplicate(session: Any, values: dict[str, Any]) -> Any:
    """INSERT INTO action ... ON CONFLICT (key) DO NOTHING, for PostgreSQL or SQLite."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(Action.__table__).values(**values).on_conflict_do_nothing(
        index_elements=["key"])


def file_notice(ctx: Context, action: Action) -> bool:
    """File the item's notice for each recipient of this level; skipped once the item is done."""
    live = live_hire_step(ctx, action)
    if live is None:
        return False
    hire, step = live
    level = Level(action.kind.removeprefix("onb."))
    keys = _recipient_keys(ctx, hire, step, level)
    for key in keys:
        ctx.session.add(OnboardingNotice(
            municipality=ctx.municipality, action_id=action.id, step_id=step.id,
            hire_id=hire.id, level=level, recipient_key=key, day=ctx.day,
        ))
        _ensure_digest(ctx, key)
    return bool(keys)


def file_notices(ctx: Context, actions: list[Action]) -> dict[int, bool]:
    """file_notice for many actions at once: the notices go in with one INSERT."""
    rows: list[dict[str, Any]] = []
    outcome: dict[int, bool] = {}
    for action in actions:
        live = live_hire_step(ctx, action)
        if live is None:
            outcome[action.id] = False
            continue
        hire, step = live
        level = Level(action.kind.removeprefix("onb."))
        keys = _recipient_keys(ctx, hire, step, level)
        for key in keys:
            rows.append({"municipality": ctx.municipality, "action_id": action.id,
                         "step_id": step.id, "hire_id": hire.id, "level": level,
                         "recipient_key": key, "day": ctx.day, "digest_key": None})
            _ensure_digest(ctx, key)
        outcome[action.id] = bool(keys)
    if rows:
        ctx.session.execute(insert(OnboardingNotice.__table__), rows)
    return outcome


for _level in Level:
    handler(notice_kind(_level))(file_notice)
batch_handler(*(notice_kind(level) for level in Level))(file_notices)


def _subject_id(key: str) -> str:
    return key if key == PO else key.partition(":")[2]


def _entry(ctx: Context, key: str, step: Step, hire: Hire) -> dict[str, Any]:
    return {
        "titel": step.title,
        "medewerker": hire.full_name,
        "hire_id": hire.id,
        "item": step.key.removeprefix("onb:"),
        "deadline": step.due_date,
        "fase": Phase(step.data.get("phase", Phase.VOOR.value)).label,
        "eigenaar": OWNER_LABELS.get(step.owner_role or "", step.owner_role or ""),
        "link": link_url(ctx, action=ITEM_DONE, subject_id=_subject_id(key), case_type="hire",
                         case_id=hire.id, step_id=step.id),
    }


@handler(DIGEST)
def send_digest(ctx: Context, action: Action) -> bool:
    """Send the recipient one mail with every waiting notice, grouped by level (ONB-3)."""
    key = action.key.removeprefix(f"{DIGEST}:{ctx.municipality}:").rsplit(":", 2)[0]
    notice = OnboardingNotice.__table__.c
    # One query for the waiting notices with their item and hire (the hire's manager and buddy
    # are not needed here: not joined).
    rows = ctx.session.execute(
        select(notice.id, notice.step_id, notice.level, Step, Hire)
        .outerjoin(Step, Step.id == notice.step_id)
        .outerjoin(Hire, Hire.id == notice.hire_id)
        .options(lazyload(Hire.manager), lazyload(Hire.buddy))
        .where(notice.municipality == ctx.municipality, notice.recipient_key == key,
               notice.digest_key.is_(None))
        .order_by(notice.id)
    ).all()
    best: dict[int, tuple[Level, Step, Hire]] = {}
    carried: dict[str, list[int]] = {action.key: [], _VOID: []}
    for notice_id, step_id, level, step, hire in rows:
        level = Level(level)
        live = (step is not None and hire is not None and step.state == StepState.OPEN
                and hire.state == HireState.PLANNED)
        carried[action.key if live else _VOID].append(notice_id)
        if live and (step_id not in best or _ORDER[level] > _ORDER[best[step_id][0]]):
            best[step_id] = (level, step, hire)
    for digest_key, ids in carried.items():
        if ids:
            ctx.session.execute(update(OnboardingNotice.__table__)
                                .where(notice.id.in_(ids)).values(digest_key=digest_key))
    if not best:
        return False
    sections = []
    for level, (title, intro) in _SECTIONS.items():
        items = sorted((_entry(ctx, key, s, h) for lv, s, h in best.values() if lv == level),
                       key=lambda e: (e["deadline"], e["hire_id"], e["item"]))
        if items:
            sections.append({"niveau": level.value, "kop": title, "uitleg": intro, "punten": items})
    ctx.mail(key=action.key, template="onb_digest", to=recipient_for(ctx, key),
             context={"secties": sections, "aantal": len(best)}, case_type="onb_digest",
             case_id=key[:40], action=action)
    ctx.audit("onb.digest", "recipient", key, items=len(best), notices=len(rows))
    return True


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
    return (f"Je meldt dat ‘{step.title}’ voor {who} is afgerond "
            f"(gepland op {step.due_date.strftime('%d-%m-%Y')}).")


def _perform(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = _linked_step(ctx, link)
    if mark_item_done(ctx, step, by=ctx.actor):
        return f"Dank je wel! ‘{step.title}’ staat nu op afgerond."
    return f"‘{step.title}’ stond al op afgerond; er is niets veranderd."


register_link_action(LinkAction(
    name=ITEM_DONE, title="Punt afgerond", describe=_describe, perform=_perform,
    button="Markeer als afgerond", expires_days=30,
))
