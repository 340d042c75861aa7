"""The cycle's dated actions: invitations, reminders, the POP form, the appraisal form,
escalation, and waiting for the introduction's startontwikkelgesprek; the follow-ups of a
recorded appraisal are in `followups`. Ends with HANDLERS, every action kind of the process.

Every handler reads the case afresh and skips what is no longer needed (a cancelled hire, a
talk already recorded).
"""

from __future__ import annotations

from poflow.conversations import kinds
from poflow.conversations.case import (
    case_cancelled,
    employee_recipient,
    find_cycle,
    section,
    talk_context,
)
from poflow.conversations.cycle import INTRO_STEP, start_after_introduction
from poflow.conversations.followups import archive_for_po, share_with_employee, tell_decision
from poflow.conversations.rules import introduction_end, next_introduction_check
from poflow.db.models import Action, Hire, Step
from poflow.engine import Context, Handler, invited_addresses
from poflow.kernel.vocabulary import CaseType, Role
from poflow.links import link_url
from poflow.mail.outbox import Recipient
from poflow.states import HireState, StepState

__all__ = ["HANDLERS"]


def _live_step(ctx: Context, action: Action, *, open_only: bool = True) -> Step | None:
    step = action.step
    if step is None or case_cancelled(ctx, action.case_type, action.case_id):
        return None
    if step.state == StepState.CANCELLED or (open_only and step.state != StepState.OPEN):
        return None
    return step


def _both(ctx: Context, step: Step) -> tuple[tuple[Role, Recipient], ...]:
    """The two people of a talk, by role: the leidinggevende and the employee."""
    return (
        (Role.LEIDINGGEVENDE, ctx.recipient(ctx.person(step.owner_id or ""))),
        (Role.MEDEWERKER, employee_recipient(ctx, step.case_type, step.case_id)),
    )


def send_invitations(ctx: Context, action: Action) -> bool:
    """Invite the leidinggevende and the employee to a talk, each with the .ics (GES-1)."""
    step = _live_step(ctx, action, open_only=False)
    if step is None or ctx.day > step.due_date:
        return False
    talk = talk_context(ctx, step)
    people = _both(ctx, step)
    invitation = ctx.invitation_for(
        step,
        summary=f"{step.title}: {talk['medewerker']}",
        location=talk["locatie"],
        description="Gesprek uit de gesprekscyclus tussen leidinggevende en medewerker.",
        attendees=[to for _, to in people],
    )
    pop = ctx.step(
        case_type=step.case_type,
        case_id=step.case_id,
        key=step.key.replace(":richtgesprek", ":pop"),
    )
    invited = invited_addresses(ctx.session, step)  # "Gewijzigd" only to who had it
    for who, to in people:
        ctx.mail(
            key=f"{action.key}:{who}",
            template="conversations/uitnodiging",
            to=to,
            context={
                **talk,
                "rol": who,
                "bijgewerkt": step.sequence > 0 and to.email.lower() in invited,
                "pop_deadline": pop.due_date if pop and pop is not step else None,
            },
            case_type=step.case_type,
            case_id=step.case_id,
            action=action,
            invitation=invitation,
        )
    return True


def send_reminders(ctx: Context, action: Action) -> bool:
    """Remind both shortly before the talk; skipped once the day has passed."""
    step = _live_step(ctx, action, open_only=False)
    if step is None or ctx.day > step.due_date:
        return False
    talk = talk_context(ctx, step)
    for who, to in _both(ctx, step):
        ctx.mail(
            key=f"{action.key}:{who}",
            template="conversations/herinnering",
            to=to,
            context={**talk, "rol": who},
            case_type=step.case_type,
            case_id=step.case_id,
            action=action,
        )
    return True


def _pop_mail(ctx: Context, action: Action, *, reminder: bool) -> bool:
    step = _live_step(ctx, action)
    if step is None:
        return False
    talk = ctx.session.get(Step, step.data.get("talk_step"))
    if talk is None or talk.state == StepState.CANCELLED:
        return False
    to = employee_recipient(ctx, step.case_type, step.case_id)
    url = link_url(
        ctx,
        action=kinds.LINK_POP,
        subject_id=step.case_id,
        case_type=step.case_type,
        case_id=step.case_id,
        step_id=step.id,
    )
    ctx.mail(
        key=f"{action.key}:{Role.MEDEWERKER}",
        template="conversations/pop_verzoek",
        to=to,
        context={
            **talk_context(ctx, talk),
            "deadline": step.due_date,
            "link": url,
            "herinnering": reminder,
        },
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    return True


def ask_for_pop(ctx: Context, action: Action) -> bool:
    """Ask the employee for the POP form, pages 1-5, with its deadline and a link (GES-2)."""
    return _pop_mail(ctx, action, reminder=False)


def remind_pop(ctx: Context, action: Action) -> bool:
    """Remind the employee when the POP form is not in yet (GES-2)."""
    return _pop_mail(ctx, action, reminder=True)


def ask_to_confirm_richtgesprek(ctx: Context, action: Action) -> bool:
    """Ask the leidinggevende to confirm that the richtgesprek took place."""
    step = _live_step(ctx, action)
    if step is None:
        return False
    url = link_url(
        ctx,
        action=kinds.LINK_RICHT,
        subject_id=step.owner_id or "",
        case_type=step.case_type,
        case_id=step.case_id,
        step_id=step.id,
    )
    ctx.mail(
        key=f"{action.key}:{Role.LEIDINGGEVENDE}",
        template="conversations/richtgesprek_vastleggen",
        to=ctx.recipient(ctx.person(step.owner_id or "")),
        context={**talk_context(ctx, step), "link": url},
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    return True


def _form_mail(ctx: Context, action: Action, *, reminder: bool) -> bool:
    step = _live_step(ctx, action)
    if step is None:
        return False
    url = link_url(
        ctx,
        action=kinds.LINK_FORM,
        subject_id=step.owner_id or "",
        case_type=step.case_type,
        case_id=step.case_id,
        step_id=step.id,
    )
    ctx.mail(
        key=f"{action.key}:{Role.LEIDINGGEVENDE}",
        template="conversations/beoordelingsformulier",
        to=ctx.recipient(ctx.person(step.owner_id or "")),
        context={**talk_context(ctx, step), "link": url, "herinnering": reminder},
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    return True


def send_appraisal_form(ctx: Context, action: Action) -> bool:
    """Send the leidinggevende the appraisal form link before the beoordelingsgesprek (GES-3)."""
    return _form_mail(ctx, action, reminder=False)


def remind_appraisal_form(ctx: Context, action: Action) -> bool:
    """Remind the leidinggevende after the talk when the form is still not recorded (GES-3)."""
    return _form_mail(ctx, action, reminder=True)


def escalate_to_po(ctx: Context, action: Action) -> bool:
    """Tell P&O that a talk of the cycle is still not recorded."""
    step = _live_step(ctx, action)
    if step is None:
        return False
    ctx.mail(
        key=f"{action.key}:po",
        template="conversations/escalatie",
        to=ctx.po_recipient(),
        context={**talk_context(ctx, step), "wat": step.title, "case_id": step.case_id},
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    ctx.audit("step.escalated", "step", str(step.id), case=step.case_id, to="po")
    return True


def watch_introduction(ctx: Context, action: Action) -> bool:
    """Start the cycle once the startontwikkelgesprek is held; else look again later (GES-1)."""
    hire = ctx.session.get(Hire, action.case_id)
    if hire is None or hire.state == HireState.CANCELLED:
        return False
    if find_cycle(ctx.session, CaseType.HIRE, hire.id) is not None:
        return False
    intro = ctx.step(case_type=CaseType.HIRE, case_id=hire.id, key=INTRO_STEP)
    if intro is not None and intro.state == StepState.CANCELLED:
        ctx.audit("ges.cycle.not_started", CaseType.HIRE, hire.id, reason="introduction_cancelled")
        return False
    if intro is not None and intro.state == StepState.DONE:
        start_after_introduction(ctx, hire, intro)
        return True
    cfg, cal = section(ctx), ctx.calendar
    programme_end = introduction_end(cal, hire.first_working_day, cfg.introduction_months)
    again = next_introduction_check(
        cal,
        ctx.day,
        programme_end,
        intro.due_date if intro is not None else None,
        every_working_days=cfg.introduction_check_working_days,
        wait_max_months=cfg.introduction_wait_max_months,
    )
    if again is not None:
        ctx.schedule(
            case_type=CaseType.HIRE,
            case_id=hire.id,
            kind=kinds.INTRO,
            due=again,
            key=f"{kinds.INTRO}:{hire.id}:{again.isoformat()}",
        )
        return True
    ctx.mail(
        key=f"{action.key}:po",
        template="conversations/escalatie",
        to=ctx.po_recipient(),
        context={
            "wat": "Startontwikkelgesprek (einde introductieprogramma)",
            "medewerker": hire.full_name,
            "leidinggevende": hire.manager.full_name,
            "datum": programme_end,
            "case_id": hire.id,
            "soort": "introductie",
        },
        case_type=CaseType.HIRE,
        case_id=hire.id,
        action=action,
    )
    ctx.audit("ges.cycle.not_started", CaseType.HIRE, hire.id, reason="startontwikkelgesprek_open")
    return True


# Every action kind of the conversation cycle, for the process declaration.
HANDLERS: dict[str, Handler] = {
    kinds.INVITE: send_invitations,
    kinds.REMIND: send_reminders,
    kinds.POP_REQUEST: ask_for_pop,
    kinds.POP_REMIND: remind_pop,
    kinds.RECORD: ask_to_confirm_richtgesprek,
    kinds.FORM: send_appraisal_form,
    kinds.FORM_REMIND: remind_appraisal_form,
    kinds.ESCALATE: escalate_to_po,
    kinds.INTRO: watch_introduction,
    kinds.SHARE: share_with_employee,
    kinds.DECISION: tell_decision,
    kinds.ARCHIVE: archive_for_po,
}
