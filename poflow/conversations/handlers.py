"""The cycle's dated mails: invitations, POP form, appraisal form, escalation, sharing, archive.

Every handler reads the case afresh and skips what is no longer needed (a cancelled hire, a
talk already recorded). Scores and motivations only go into mails to the employee, P&O and the
gemeentesecretaris; never into logs or audit details (X-3).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from poflow.conversations import kinds
from poflow.conversations.case import case_cancelled, employee_recipient, find_cycle, section
from poflow.conversations.cycle import INTRO_STEP, start_after_introduction
from poflow.conversations.models import Appraisal, LegalDecision
from poflow.conversations.rules import COMPONENTS, RaiseReason
from poflow.db.models import Action, Hire, Step
from poflow.engine import TZ, Context, Handler
from poflow.links import link_url
from poflow.states import HireState, StepState

__all__ = ["form_context", "talk_context"]

_REASONS = {
    RaiseReason.ONVOLDOENDE: "niet alle onderdelen zijn minimaal voldoende beoordeeld",
    RaiseReason.SCHAALMAXIMUM: "het maximum van de functieschaal is bereikt",
    RaiseReason.TE_KORT: "het is nog geen 12 maanden geleden dat de medewerker in dienst kwam, "
    "de laatste periodiek kreeg of promotie kreeg",
}


def _live_step(ctx: Context, action: Action, *, open_only: bool = True) -> Step | None:
    step = action.step
    if step is None or case_cancelled(ctx, action.case_type, action.case_id):
        return None
    if step.state == StepState.CANCELLED or (open_only and step.state != StepState.OPEN):
        return None
    return step


def talk_context(ctx: Context, step: Step) -> dict[str, Any]:
    """What every cycle mail about a talk shows: who, what kind of talk, when and where."""
    extra_id = step.data.get("extra")
    extra = ctx.session.get(LegalDecision, extra_id) if extra_id else None
    starts = step.starts_at.astimezone(TZ) if step.starts_at else None
    ends = step.ends_at.astimezone(TZ) if step.ends_at else None
    return {
        "soort": "extra beoordelingsgesprek" if extra else step.data.get("talk", "gesprek"),
        "besluit": extra.kind.label if extra else None,
        "besluit_id": extra.id if extra else None,
        "medewerker": employee_recipient(ctx, step.case_type, step.case_id).name,
        "leidinggevende": ctx.person(step.owner_id or "").full_name,
        "datum": step.due_date,
        "start": starts,
        "einde": ends,
        "locatie": section(ctx).location,
    }


def _both(ctx: Context, step: Step) -> tuple[tuple[str, Any], ...]:
    return (
        ("leidinggevende", ctx.recipient(ctx.person(step.owner_id or ""))),
        ("medewerker", employee_recipient(ctx, step.case_type, step.case_id)),
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
    for who, to in people:
        ctx.mail(
            key=f"{action.key}:{who}",
            template="ges_uitnodiging",
            to=to,
            context={
                **talk,
                "rol": who,
                "bijgewerkt": step.sequence > 0,
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
            template="ges_herinnering",
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
        key=f"{action.key}:medewerker",
        template="ges_pop_verzoek",
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
        key=f"{action.key}:leidinggevende",
        template="ges_richtgesprek_vastleggen",
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
        key=f"{action.key}:leidinggevende",
        template="ges_beoordelingsformulier",
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
        template="ges_escalatie",
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
    if find_cycle(ctx.session, "hire", hire.id) is not None:
        return False
    intro = ctx.step(case_type="hire", case_id=hire.id, key=INTRO_STEP)
    if intro is not None and intro.state == StepState.CANCELLED:
        ctx.audit("ges.cycle.not_started", "hire", hire.id, reason="introduction_cancelled")
        return False
    if intro is not None and intro.state == StepState.DONE:
        start_after_introduction(ctx, hire, intro)
        return True
    cfg, cal = section(ctx), ctx.calendar
    programme_end = cal.months_after(hire.first_working_day, cfg.introduction_months)
    give_up = cal.months_after(programme_end, cfg.introduction_wait_max_months)
    if ctx.day < give_up:
        later = max(
            cal.add_working_days(ctx.day, cfg.introduction_check_working_days),
            intro.due_date if intro is not None else ctx.day,
        )
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=kinds.INTRO,
            due=min(later, give_up),
            key=f"{kinds.INTRO}:{hire.id}:{min(later, give_up).isoformat()}",
        )
        return True
    ctx.mail(
        key=f"{action.key}:po",
        template="ges_escalatie",
        to=ctx.po_recipient(),
        context={
            "wat": "Startontwikkelgesprek (einde introductieprogramma)",
            "medewerker": hire.full_name,
            "leidinggevende": hire.manager.full_name,
            "datum": programme_end,
            "case_id": hire.id,
            "soort": "introductie",
        },
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    ctx.audit("ges.cycle.not_started", "hire", hire.id, reason="startontwikkelgesprek_open")
    return True


def _appraisal(ctx: Context, action: Action) -> tuple[Appraisal, Step] | None:
    step = action.step
    if step is None or case_cancelled(ctx, action.case_type, action.case_id):
        return None
    row = ctx.session.scalar(select(Appraisal).where(Appraisal.step_id == step.id))
    return (row, step) if row is not None else None


def form_context(ctx: Context, row: Appraisal, step: Step) -> dict[str, Any]:
    """The filled-in form as a mail shows it: each component's score label and motivation."""
    parts = [
        {
            "naam": c.label,
            "score": getattr(row, c.value).label,
            "motivatie": getattr(row, f"{c.value}_motivatie"),
        }
        for c in COMPONENTS
    ]
    reasons = [_REASONS[RaiseReason(r)] for r in (row.raise_reasons or "").split(",") if r]
    return {
        **talk_context(ctx, step),
        "onderdelen": parts,
        "ronde": row.round,
        "vastgelegd_door": ctx.person(row.recorded_by).full_name,
        "periodiek": row.raise_granted,
        "periodiek_datum": row.raise_on,
        "redenen": reasons,
        "onvoldoende": [p["naam"] for p in parts if p["score"] == "Onvoldoende"],
        "case_id": row.case_id,
    }


def share_with_employee(ctx: Context, action: Action) -> bool:
    """Share the recorded appraisal form with the employee on the day of the talk (GES-3)."""
    found = _appraisal(ctx, action)
    if found is None:
        return False
    row, step = found
    ctx.mail(
        key=f"{action.key}:medewerker",
        template="ges_beoordeling_gedeeld",
        to=employee_recipient(ctx, step.case_type, step.case_id),
        context=form_context(ctx, row, step),
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    return True


def tell_decision(ctx: Context, action: Action) -> bool:
    """Tell P&O the raise decision (GES-4) or that the legal decision may be taken (GES-5);
    an onvoldoende also goes to the gemeentesecretaris."""
    found = _appraisal(ctx, action)
    if found is None:
        return False
    row, step = found
    context = form_context(ctx, row, step)
    ctx.mail(
        key=f"{action.key}:po",
        template="ges_periodiek",
        to=ctx.po_recipient(),
        context=context,
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    if context["onvoldoende"]:
        for person in ctx.people_with_role("gemeentesecretaris"):
            ctx.mail(
                key=f"{action.key}:gs:{person.id}",
                template="ges_onvoldoende",
                to=ctx.recipient(person),
                context=context,
                case_type=step.case_type,
                case_id=step.case_id,
                action=action,
            )
        ctx.audit(
            "ges.onvoldoende.escalated", "ges_appraisal", str(row.id), to="gemeentesecretaris"
        )
    return True


def archive_for_po(ctx: Context, action: Action) -> bool:
    """Send P&O the completed appraisal form for the personnel file (GES-6)."""
    found = _appraisal(ctx, action)
    if found is None:
        return False
    row, step = found
    ctx.mail(
        key=f"{action.key}:po",
        template="ges_dossier",
        to=ctx.po_recipient(),
        context=form_context(ctx, row, step),
        case_type=step.case_type,
        case_id=step.case_id,
        action=action,
    )
    ctx.audit("ges.appraisal.archived", "ges_appraisal", str(row.id), to="po")
    return True


# The action kinds this module performs, for the process declaration.
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
