"""Onboarding from signed contract to six months (ONB-1..5, BUD-1..2), as the process reads.

For every hire the planner instantiates the municipality's checklist as steps with dated notices
(see poflow.onboarding_digest), assigns a buddy from the team and tells them what is expected,
welcomes the new colleague at the private address before day one and at the work address on day
one, and closes the buddy trajectory after six months with a "vier successen" moment. After a
start-date move the planner runs again: open items, notices and appointments move with it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from poflow._exceptions import BuddyRefused, NotFound
from poflow.db.models import Action, Hire, Outbox, Person, Step
from poflow.engine import (
    TZ,
    Context,
    Handler,
    invited_recipients,
    live_hire,
    local_datetime,
    step_close,
)
from poflow.onboarding.checklist import (
    ChecklistItem,
    OnboardingSection,
    applies,
    buddy_close_date,
    event_dates,
    item_due,
)
from poflow.onboarding.digest import mark_item_done, notice_kind
from poflow.states import HireState, MailState, StepState

__all__ = [
    "assign_buddy",
    "complete_item",
    "onboarding_section",
    "plan_buddy",
    "plan_onboarding",
    "set_buddy",
]

WELCOME, WELCOME_WORK = "onb.welcome", "onb.welcome_work"
BUDDY_INFORM, BUDDY_CELEBRATE, BUDDY_CLOSE = "bud.inform", "bud.celebrate", "bud.close"
BUDDY_STEP = "buddy"
# A hire planned this long after day one gets no day-one welcome any more.
_LATE_WELCOME_WORKING_DAYS = 5


def onboarding_section(ctx: Context) -> OnboardingSection:
    """The municipality's onboarding.yaml."""
    return ctx.config.section("onboarding", OnboardingSection)


# -- the process ----------------------------------------------------------------------------------
def plan_onboarding(ctx: Context, hire: Hire) -> None:
    """Assign the buddy, instantiate the checklist, plan the welcome and the buddy trajectory."""
    cfg = onboarding_section(ctx)
    assign_buddy(ctx, hire)
    fresh: list[Step] = []  # new steps: one flush for all of them, then their audit rows
    for item in cfg.items:
        if applies(item, hire.contract_type, hire.contract_months):
            _plan_item(ctx, hire, item, cfg, fresh)
    _plan_welcome(ctx, hire, cfg)
    plan_buddy(ctx, hire, fresh)
    _audit_planned(ctx, fresh)


def _plan_item(
    ctx: Context, hire: Hire, item: ChecklistItem, cfg: OnboardingSection, fresh: list[Step]
) -> None:
    """One checklist item as a step with its notices, or done at once when poflow did it."""
    due = item_due(ctx.calendar, hire.first_working_day, item.due)
    step = _upsert_step(
        ctx,
        hire,
        key=f"onb:{item.key}",
        process="onb",
        title=item.title,
        due=due,
        owner_role=item.owner,
        owner_id=_owner_id(hire, item.owner),
        data={"phase": item.phase.value, "pillar": item.pillar.value, "item": item.key},
        fresh=fresh,
    )
    if step.state != StepState.OPEN:
        return
    if item.system is not None and _done_by_system(ctx, hire, item.system):
        _audit_planned(ctx, fresh)  # "planned" before "done" in the log, with the step's id
        mark_item_done(ctx, step, by="system")
        return
    for level, when in event_dates(
        ctx.calendar, cfg, due=due, owner=item.owner, planned_on=ctx.day
    ).items():
        kind = notice_kind(level)
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=kind,
            step=step,
            due=when,
            key=f"{kind}:{hire.id}:{item.key}:{due.isoformat()}",
        )


def _plan_welcome(ctx: Context, hire: Hire, cfg: OnboardingSection) -> None:
    """The welcome at the private address before day one, and at work on day one."""
    fwd = hire.first_working_day
    if ctx.day < fwd:
        before = ctx.calendar.add_working_days(fwd, -cfg.welcome_working_days_before)
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=WELCOME,
            due=max(ctx.day, before),
            key=f"{WELCOME}:{hire.id}:{fwd.isoformat()}",
        )
    if ctx.day <= ctx.calendar.add_working_days(fwd, _LATE_WELCOME_WORKING_DAYS):
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=WELCOME_WORK,
            due=fwd,
            key=f"{WELCOME_WORK}:{hire.id}:{fwd.isoformat()}",
        )


def plan_buddy(ctx: Context, hire: Hire, fresh: list[Step] | None = None) -> None:
    """BUD-1/BUD-2: inform the buddy, invite to the "vier successen" moment, close at six months."""
    if hire.buddy_id is None:
        return
    cfg = onboarding_section(ctx)
    cal, fwd, cel = ctx.calendar, hire.first_working_day, cfg.celebration
    close = buddy_close_date(
        cal, fwd, months=cfg.buddy_months, contract_months=hire.contract_months
    )
    starts = local_datetime(close, cel.time)
    step = _upsert_step(
        ctx,
        hire,
        key=BUDDY_STEP,
        process="bud",
        title="Buddytraject: vier successen",
        due=close,
        owner_role="buddy",
        owner_id=hire.buddy_id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=cel.duration_minutes),
        data={"buddy": hire.buddy_id},
        fresh=fresh,
    )
    if step.state != StepState.OPEN:
        return
    inform = cal.add_working_days(fwd, -cfg.buddy_inform_working_days_before)
    invite = cal.add_working_days(close, -cel.invite_working_days_before)
    for kind, key, due in (
        (BUDDY_INFORM, f"{hire.buddy_id}:{fwd.isoformat()}", max(ctx.day, inform)),
        (BUDDY_CELEBRATE, f"s{step.sequence}", max(ctx.day, invite)),
        (BUDDY_CLOSE, close.isoformat(), close),
    ):
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=kind,
            step=step,
            due=due,
            key=f"{kind}:{hire.id}:{key}",
        )


# -- steps and people -----------------------------------------------------------------------------
def _upsert_step(
    ctx: Context, hire: Hire, *, key: str, due: date, fresh: list[Step] | None = None, **fields: Any
) -> Step:
    """Create the hire's step `key`, or move it (and raise its SEQUENCE) when its date changed.

    A new step is added to `fresh` for `_audit_planned` (one flush for a whole checklist); without
    `fresh` it is flushed and audited at once.
    """
    step = ctx.step(case_type="hire", case_id=hire.id, key=key)
    if step is None:
        step = Step(
            municipality=hire.municipality,
            case_type="hire",
            case_id=hire.id,
            key=key,
            due_date=due,
            sequence=0,
            state=StepState.OPEN,
            **fields,
        )
        ctx.session.add(step)
        if fresh is None:
            _audit_planned(ctx, [step])
        else:
            fresh.append(step)
        return step
    if step.state == StepState.OPEN and step.due_date != due:
        step.due_date = due
        if fields.get("starts_at") is not None:
            step.starts_at, step.ends_at = fields["starts_at"], fields["ends_at"]
            if invited_recipients(ctx.session, step):  # calendars hold it: send an update
                step.sequence += 1
        ctx.audit(
            "step.moved",
            "step",
            str(step.id),
            hire=hire.id,
            key=key,
            due=due.isoformat(),
            sequence=step.sequence,
        )
    if step.state == StepState.OPEN and fields.get("owner_id") != step.owner_id:
        step.owner_id = fields.get("owner_id")
    return step


def _audit_planned(ctx: Context, fresh: list[Step]) -> None:
    """Flush the new steps once for their ids and write their "step.planned" rows; empty it."""
    if not fresh:
        return
    ctx.session.flush()
    for step in fresh:
        ctx.audit(
            "step.planned",
            "step",
            str(step.id),
            hire=step.case_id,
            key=step.key,
            due=step.due_date.isoformat(),
        )
    fresh.clear()


def _owner_id(hire: Hire, owner: str) -> str | None:
    return {"leidinggevende": hire.manager_id, "buddy": hire.buddy_id, "medewerker": hire.id}.get(
        owner
    )


def _done_by_system(ctx: Context, hire: Hire, what: str) -> bool:
    if what == "buddy":
        return hire.buddy_id is not None
    planned = ctx.session.scalar(
        select(func.count(Step.id)).where(
            Step.case_type == "hire", Step.case_id == hire.id, Step.process == "chk"
        )
    )
    return bool(planned)


def _pick_buddy(ctx: Context, hire: Hire) -> Person | None:
    """A colleague from the hire's team (not the manager), with the fewest running buddies."""
    team = ctx.session.scalars(
        select(Person)
        .where(
            Person.municipality == hire.municipality,
            Person.team == hire.team,
            Person.id != hire.manager_id,
        )
        .order_by(Person.id)
    ).all()
    if not team:
        return None
    since = ctx.day - timedelta(days=200)
    load = dict(
        ctx.session.execute(
            select(Hire.buddy_id, func.count(Hire.id))
            .where(
                Hire.buddy_id.in_([p.id for p in team]),
                Hire.state == HireState.PLANNED,
                Hire.first_working_day >= since,
            )
            .group_by(Hire.buddy_id)
        ).all()
    )
    return min(team, key=lambda p: ("medewerker" not in p.role_names, load.get(p.id, 0), p.id))


def assign_buddy(
    ctx: Context, hire: Hire, person_id: str | None = None, *, by: str = "system"
) -> Person | None:
    """BUD-1: give the hire a buddy from their team (chosen, or the least busy colleague)."""
    if person_id is None and hire.buddy_id is not None:
        return ctx.person(hire.buddy_id)
    if person_id is None:
        person = _pick_buddy(ctx, hire)
        if person is None:
            ctx.audit("buddy.unassigned", "hire", hire.id, reason="no colleague in team")
            return None
    else:
        person = ctx.session.get(Person, person_id)
        if person is None or person.municipality != hire.municipality:
            raise BuddyRefused(
                f"Cannot make {person_id} the buddy of hire {hire.id}: no such "
                f"colleague in {hire.municipality}."
            )
        if person.team != hire.team:
            raise BuddyRefused(
                f"Cannot make {person_id} the buddy of hire {hire.id}: a buddy "
                f"comes from the hire's own team ({hire.team})."
            )
        if person.id == hire.manager_id:
            raise BuddyRefused(
                f"Cannot make {person_id} the buddy of hire {hire.id}: the "
                "leidinggevende cannot also be the buddy."
            )
    hire.buddy_id = person.id
    ctx.audit("buddy.assigned", "hire", hire.id, buddy=person.id, by=by)
    return person


def set_buddy(ctx: Context, hire: Hire, person_id: str, *, by: str) -> Person:
    """BUD-1 by hand: make `person_id` the buddy, tick "buddy toewijzen", inform them in time."""
    person = assign_buddy(ctx, hire, person_id, by=by)
    assert person is not None
    for step in ctx.session.scalars(
        select(Step).where(
            Step.case_type == "hire",
            Step.case_id == hire.id,
            Step.process == "onb",
            Step.state == StepState.OPEN,
        )
    ):
        if step.owner_role == "buddy":
            step.owner_id = person.id
        if step.data.get("item") in _system_items(ctx, "buddy"):
            mark_item_done(ctx, step, by=by)
    plan_buddy(ctx, hire)
    return person


def _system_items(ctx: Context, what: str) -> set[str]:
    return {i.key for i in onboarding_section(ctx).items if i.system == what}


def complete_item(ctx: Context, hire_id: str, item_key: str, *, by: str) -> bool:
    """Mark checklist item `item_key` of the hire done (the CLI's fallback for the link)."""
    step = ctx.step(case_type="hire", case_id=hire_id, key=f"onb:{item_key}")
    if step is None:
        raise NotFound(f"Hire {hire_id} has no checklist item {item_key!r}")
    return mark_item_done(ctx, step, by=by)


# -- handlers -------------------------------------------------------------------------------------
def _live(ctx: Context, action: Action) -> tuple[Hire, Step | None] | None:
    """The action's hire and step while both are still running; None means skip."""
    hire = live_hire(ctx, action)
    return None if hire is None else (hire, action.step)


def _people(ctx: Context, hire: Hire) -> dict[str, Any]:
    """What every onboarding mail may say about the hire and the first day."""
    m = ctx.config.municipality
    buddy = ctx.person(hire.buddy_id) if hire.buddy_id else None
    return {
        "medewerker": hire.full_name,
        "voornaam": hire.given_name,
        "functie": hire.function,
        "team": hire.team,
        "hire_id": hire.id,
        "eerste_werkdag": hire.first_working_day,
        "tijd": m.first_day_time,
        "plaats": m.first_day_place,
        "leidinggevende": ctx.person(hire.manager_id).full_name,
        "buddy": buddy.full_name if buddy else None,
    }


def _sent_before(ctx: Context, hire: Hire, template: str) -> bool:
    return bool(
        ctx.session.scalar(
            select(func.count(Outbox.id)).where(
                Outbox.case_type == "hire",
                Outbox.case_id == hire.id,
                Outbox.template == template,
                Outbox.state == MailState.SENT,
            )
        )
    )


def welcome_at_home(ctx: Context, action: Action) -> bool:
    """Welcome the new colleague at the private address before day one: day, time, place, buddy."""
    live = _live(ctx, action)
    if live is None or ctx.day >= live[0].first_working_day:
        return False
    hire = live[0]
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="onboarding/welkom_prive",
        to=ctx.hire_recipient(hire),
        context={
            **_people(ctx, hire),
            "gewijzigd": _sent_before(ctx, hire, "onboarding/welkom_prive"),
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def welcome_at_work(ctx: Context, action: Action) -> bool:
    """Welcome the new colleague at the work address on day one."""
    live = _live(ctx, action)
    if live is None:
        return False
    hire = live[0]
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="onboarding/welkom_werk",
        to=ctx.hire_recipient(hire),
        context=_people(ctx, hire),
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def inform_buddy(ctx: Context, action: Action) -> bool:
    """BUD-1: tell the buddy whom, when, and what is expected, until the trajectory closes."""
    live = _live(ctx, action)
    if live is None or live[1] is None or live[0].buddy_id is None:
        return False
    hire, step = live
    ctx.mail(
        key=f"{action.key}:buddy",
        template="onboarding/buddy_toegewezen",
        to=ctx.recipient(ctx.person(hire.buddy_id)),  # type: ignore[arg-type]
        context={
            **_people(ctx, hire),
            "einddatum": step.due_date,
            "gewijzigd": _sent_before(ctx, hire, "onboarding/buddy_toegewezen"),
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    ctx.audit("buddy.informed", "hire", hire.id, buddy=hire.buddy_id)
    return True


def invite_to_celebrate(ctx: Context, action: Action) -> bool:
    """BUD-2: invite buddy, new colleague and leidinggevende to celebrate the successes (.ics)."""
    live = _live(ctx, action)
    if live is None or live[1] is None or live[0].buddy_id is None:
        return False
    hire, step = live
    assert step.starts_at is not None
    assert step.ends_at is not None
    cel = onboarding_section(ctx).celebration
    people = {
        "buddy": ctx.recipient(ctx.person(hire.buddy_id)),
        "medewerker": ctx.hire_recipient(hire),
        "leidinggevende": ctx.recipient(ctx.person(hire.manager_id)),
    }
    invitation = ctx.invitation_for(
        step,
        summary=f"Vier successen: afsluiting buddytraject {hire.full_name}",
        description="Zes maanden buddytraject: we sluiten af en vieren de successen.",
        location=cel.location,
        attendees=people.values(),
    )
    for who, to in people.items():
        ctx.mail(
            key=f"{action.key}:{who}",
            template="onboarding/vier_successen",
            to=to,
            context={
                **_people(ctx, hire),
                "rol": who,
                "start": step.starts_at.astimezone(TZ),
                "einde": step.ends_at.astimezone(TZ),
                "locatie": cel.location,
                "bijgewerkt": step.sequence > 0,
            },
            case_type="hire",
            case_id=hire.id,
            action=action,
            invitation=invitation,
        )
    return True


def close_buddy_trajectory(ctx: Context, action: Action) -> bool:
    """BUD-2: close the buddy trajectory at six months and thank the buddy."""
    live = _live(ctx, action)
    if live is None or live[1] is None or live[0].buddy_id is None:
        return False
    hire, step = live
    step_close(step, StepState.DONE, by="system")
    ctx.audit("buddy.closed", "hire", hire.id, buddy=hire.buddy_id, step=step.id)
    ctx.mail(
        key=f"{action.key}:buddy",
        template="onboarding/buddy_afgesloten",
        to=ctx.recipient(ctx.person(hire.buddy_id)),
        context=_people(ctx, hire),
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    WELCOME: welcome_at_home,
    WELCOME_WORK: welcome_at_work,
    BUDDY_INFORM: inform_buddy,
    BUDDY_CELEBRATE: invite_to_celebrate,
    BUDDY_CLOSE: close_buddy_trajectory,
}
