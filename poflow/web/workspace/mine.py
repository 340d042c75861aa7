"""What is waiting for one logged-in person (issue 21, item 4): the steps they own (checklist
items, talks and appointments), the links mailed to them that still work (approvals and forms),
the new colleagues they lead, and the one they accompany as buddy. Reads only.

Everything is of the person's own municipality. The links are found by their rows (subject,
unused, not revoked, not expired): a link page a person opens from here is the very link
poflow mailed them (see `poflow.web.workspace.my_work`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow._exceptions import PoflowError
from poflow.db.base import utcnow
from poflow.db.models import Hire, Step
from poflow.engine import TZ, Context
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl, moment_nl
from poflow.links import ActionLink
from poflow.onboarding.rules import AFGEROND, Phase, phase_on
from poflow.onboarding.status import PhaseCount, phase_counts_for
from poflow.onboarding.steps import ITEM_PREFIX
from poflow.states import HireState, StepState

__all__ = ["Entry", "MyWork", "NewColleague", "my_work", "owns", "usable_links"]


@dataclass(frozen=True)
class Entry:
    """One thing to do or attend: what, about whom, when, and where it is done."""

    what: str
    about: str
    when: str
    late: bool = False
    href: str | None = None


@dataclass
class NewColleague:
    """A new colleague as their leidinggevende or buddy sees them."""

    hire_id: str
    name: str
    team: str
    start: str
    phase: str
    next_moment: str
    open_items: int
    late_items: int
    mine: list[Entry] = field(default_factory=list)  # the viewer's own items for this hire


@dataclass
class MyWork:
    """Everything of one person's "Mijn werk"."""

    items: list[Entry]
    waiting: list[Entry]
    talks: list[Entry]
    led: list[NewColleague]
    accompanied: list[NewColleague]


def usable_links(session: Session, person_id: str, municipality: str) -> list[ActionLink]:
    """The links mailed to the person that still work, newest first."""
    return list(
        session.scalars(
            select(ActionLink)
            .where(
                ActionLink.subject_id == person_id,
                ActionLink.municipality == municipality,
                ActionLink.used_at.is_(None),
                ActionLink.revoked_at.is_(None),
                ActionLink.expires_at > utcnow(),
            )
            .order_by(ActionLink.id.desc())
        )
    )


def _names(session: Session, case_ids: set[str]) -> dict[str, str]:
    hires = session.scalars(select(Hire).where(Hire.id.in_(case_ids))).all() if case_ids else []
    return {h.id: h.full_name for h in hires}


def _step_entry(step: Step, about: str, day: date, href: str | None) -> Entry:
    if step.starts_at is not None:
        when = moment_nl(step.starts_at.astimezone(TZ))
    else:
        when = date_nl(step.due_date)
    return Entry(step.title, about, when, late=step.due_date < day, href=href)


def _step_href(step: Step, links: dict[int, ActionLink]) -> str | None:
    if step.process == "onb" and step.key.startswith(ITEM_PREFIX):
        return f"/werk/punt/{step.id}"
    link = links.get(step.id)
    return f"/werk/link/{link.public_id}" if link is not None else None


def _describe_link(ctx: Context, link: ActionLink) -> tuple[str, str]:
    """The action's title and what it is about (its subject, else the new colleague's name)."""
    hire = ctx.session.get(Hire, link.case_id) if link.case_type == CaseType.HIRE else None
    about = hire.full_name if hire is not None else link.case_id
    action = ctx.registry.link_actions.get(link.action)
    if action is None:
        return link.action, about
    with suppress(PoflowError, LookupError):  # the item is gone: the case still says enough
        about = action.subject(ctx, link) if action.subject else about
    return action.title, about


def _colleague(
    ctx: Context, hire: Hire, counts: dict[str, dict[Phase, PhaseCount]], next_at: dict[str, Step]
) -> NewColleague:
    phase = phase_on(ctx.config.calendar, hire.first_working_day, ctx.day)
    label = Phase(phase).label if phase != AFGEROND else "Afgerond"
    per_phase = counts.get(hire.id, {})
    open_items = sum(c.open + c.overdue for c in per_phase.values())
    late = sum(c.overdue for c in per_phase.values())
    step = next_at.get(hire.id)
    moment = f"{step.title}, {date_nl(step.due_date)}" if step is not None else "Geen"
    return NewColleague(
        hire.id,
        hire.full_name,
        hire.team,
        date_nl(hire.first_working_day),
        label,
        moment,
        open_items,
        late,
    )


def _next_steps(session: Session, hire_ids: list[str], day: date) -> dict[str, Step]:
    """Each hire's next open step on or after `day`."""
    found: dict[str, Step] = {}
    if not hire_ids:
        return found
    steps = session.scalars(
        select(Step)
        .where(
            Step.case_type == CaseType.HIRE,
            Step.case_id.in_(hire_ids),
            Step.state == StepState.OPEN,
            Step.due_date >= day,
        )
        .order_by(Step.due_date, Step.id)
    ).all()
    for step in steps:
        found.setdefault(step.case_id, step)
    return found


def owns(step: Step, person_id: str, roles: Collection[str]) -> bool:
    """Whether the person owns the step: by name, or by a role they hold when the step names
    no person (a checklist item of ICT, facilities or P&O belongs to every holder)."""
    if step.owner_id is not None:
        return step.owner_id == person_id
    return step.owner_role is not None and step.owner_role in roles


def my_work(ctx: Context, person_id: str, roles: Collection[str]) -> MyWork:
    """Everything waiting for `person_id` (holding `roles`) in the context's municipality on
    the context's day."""
    session, day, slug = ctx.session, ctx.day, ctx.municipality
    by_role = Step.owner_id.is_(None) & Step.owner_role.in_(list(roles))
    steps = session.scalars(
        select(Step)
        .where(
            Step.municipality == slug,
            (Step.owner_id == person_id) | by_role,
            Step.state == StepState.OPEN,
        )
        .order_by(Step.due_date, Step.starts_at, Step.id)
    ).all()
    links = usable_links(session, person_id, slug)
    by_step = {link.step_id: link for link in links if link.step_id is not None}
    names = _names(session, {s.case_id for s in steps if s.case_type == CaseType.HIRE})
    items: list[Entry] = []
    talks: list[Entry] = []
    for step in steps:
        about = names.get(step.case_id, step.case_id)
        entry = _step_entry(step, about, day, _step_href(step, by_step))
        (talks if step.starts_at is not None else items).append(entry)
    shown = {s.id for s in steps}
    waiting, seen = [], set()
    for link in links:
        key = (link.action, link.case_id, link.step_id)
        if (link.step_id in shown) or key in seen:
            continue
        seen.add(key)
        what, about = _describe_link(ctx, link)
        until = f"tot {moment_nl(link.expires_at.astimezone(TZ))}"
        waiting.append(Entry(what, about, until, href=f"/werk/link/{link.public_id}"))
    return MyWork(items, waiting, talks, *_colleagues(ctx, person_id, steps))


def _colleagues(
    ctx: Context, person_id: str, my_steps: Sequence[Step]
) -> tuple[list[NewColleague], list[NewColleague]]:
    hires = ctx.session.scalars(
        select(Hire)
        .where(
            Hire.municipality == ctx.municipality,
            Hire.state == HireState.PLANNED,
            (Hire.manager_id == person_id) | (Hire.buddy_id == person_id),
        )
        .order_by(Hire.first_working_day, Hire.id)
    ).all()
    ids = [h.id for h in hires]
    counts = phase_counts_for(ctx.session, ids, ctx.day) if ids else {}
    next_at = _next_steps(ctx.session, ids, ctx.day)
    led, accompanied = [], []
    for hire in hires:
        if hire.manager_id == person_id:
            led.append(_colleague(ctx, hire, counts, next_at))
        if hire.buddy_id == person_id:
            seen = _colleague(ctx, hire, counts, next_at)
            seen.mine = [
                _step_entry(s, hire.full_name, ctx.day, _step_href(s, {}))
                for s in my_steps
                if s.case_type == CaseType.HIRE and s.case_id == hire.id
            ]
            accompanied.append(seen)
    return led, accompanied
