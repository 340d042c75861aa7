"""Check-ins at 1, 3 and 8 months (CHK-1..3): planned before day one, invited, reminded, escalated.

Per talk the agenda holds four actions: the invitation (manager and new employee, with .ics),
a reminder shortly before, a request to record the talk the day after, and an escalation to P&O
when it is still not recorded.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import Field, field_validator

from poflow._exceptions import ActionRefused
from poflow.config import Section
from poflow.db.models import Action, Hire, Step
from poflow.engine import TZ, Context, Handler, live_hire_step, local_datetime, step_close
from poflow.kernel.calendar import WorkCalendar
from poflow.links import ActionLink, FormField, LinkAction, link_url
from poflow.states import StepState

__all__ = ["HELD_LINK", "CheckinSection", "checkin_dates", "record_checkin_held"]

INVITE, REMIND, RECORD, ESCALATE = "chk.invite", "chk.remind", "chk.record", "chk.escalate"
HELD_LINK = "checkin.held"


class CheckinSection(Section):
    """checkins.yaml: when the talks are, how long, and when to remind and escalate."""

    months_after_start: list[int] = Field(min_length=1)
    time: time
    duration_minutes: int = Field(gt=0, le=480)
    location: str = Field(min_length=2)
    reminder_working_days_before: int = Field(ge=1, le=20)
    record_reminder_working_days_after: int = Field(ge=1, le=20)
    escalate_working_days_after: int = Field(ge=2, le=60)

    @field_validator("months_after_start")
    @classmethod
    def _increasing(cls, months: list[int]) -> list[int]:
        if any(m <= 0 for m in months) or months != sorted(set(months)):
            raise ValueError("must be increasing whole months after the first working day")
        return months


def checkin_dates(calendar: WorkCalendar, first_working_day: date, months: list[int]) -> list[date]:
    """The working day of each check-in: N calendar months after the first working day (CHK-1)."""
    return [calendar.months_after(first_working_day, m) for m in months]


def _section(ctx: Context) -> CheckinSection:
    return ctx.config.section("checkins", CheckinSection)


def plan_checkins(ctx: Context, hire: Hire) -> None:
    """Create or move the hire's check-in steps and their four actions (CHK-1)."""
    cfg = _section(ctx)
    cal = ctx.calendar
    for month, day in zip(
        cfg.months_after_start,
        checkin_dates(cal, hire.first_working_day, cfg.months_after_start),
        strict=True,
    ):
        key = f"checkin:{month}"
        starts = local_datetime(day, cfg.time)
        step = ctx.step(case_type="hire", case_id=hire.id, key=key)
        if step is None:
            step = Step(
                municipality=hire.municipality,
                case_type="hire",
                case_id=hire.id,
                process="chk",
                key=key,
                title=f"Bij praat moment na {month} maand(en)",
                due_date=day,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=cfg.duration_minutes),
                owner_role="leidinggevende",
                owner_id=hire.manager_id,
                sequence=0,
                data={"month": month},
            )
            ctx.session.add(step)
            ctx.session.flush()
            ctx.audit(
                "step.planned", "step", str(step.id), hire=hire.id, key=key, due=day.isoformat()
            )
        elif step.state != StepState.OPEN:
            continue
        elif step.due_date != day:
            step.due_date = day
            step.starts_at = starts
            step.ends_at = starts + timedelta(minutes=cfg.duration_minutes)
            step.sequence += 1
            ctx.audit(
                "step.moved",
                "step",
                str(step.id),
                hire=hire.id,
                due=day.isoformat(),
                sequence=step.sequence,
            )
        base = f"{hire.id}:{month}"
        ctx.schedule(
            case_type="hire",
            case_id=hire.id,
            kind=INVITE,
            step=step,
            key=f"{INVITE}:{base}:s{step.sequence}",
            due=ctx.day,
        )
        for kind, due in (
            (REMIND, cal.add_working_days(day, -cfg.reminder_working_days_before)),
            (RECORD, cal.add_working_days(day, cfg.record_reminder_working_days_after)),
            (ESCALATE, cal.add_working_days(day, cfg.escalate_working_days_after)),
        ):
            ctx.schedule(
                case_type="hire",
                case_id=hire.id,
                kind=kind,
                step=step,
                key=f"{kind}:{base}:{day.isoformat()}",
                due=due,
            )


def _talk_context(ctx: Context, hire: Hire, step: Step) -> dict[str, object]:
    assert step.starts_at is not None
    assert step.ends_at is not None
    return {
        "medewerker": hire.full_name,
        "leidinggevende": ctx.person(hire.manager_id).full_name,
        "maand": step.data.get("month"),
        "start": step.starts_at.astimezone(TZ),
        "einde": step.ends_at.astimezone(TZ),
        "locatie": _section(ctx).location,
        "hire_id": hire.id,
    }


def send_invitations(ctx: Context, action: Action) -> bool:
    """Invite the leidinggevende and the new employee, each with the .ics (CHK-2)."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    manager = ctx.recipient(ctx.person(hire.manager_id))
    employee = ctx.hire_recipient(hire)
    talk = _talk_context(ctx, hire, step)
    invitation = ctx.invitation_for(
        step,
        summary=f"{step.title}: {hire.full_name}",
        location=str(talk["locatie"]),
        description="Bij praat moment tussen leidinggevende en nieuwe medewerker.",
        attendees=(manager, employee),
    )
    for who, to in (("leidinggevende", manager), ("medewerker", employee)):
        ctx.mail(
            key=f"{action.key}:{who}",
            template="checkin_uitnodiging",
            to=to,
            context={**talk, "rol": who, "bijgewerkt": step.sequence > 0},
            case_type="hire",
            case_id=hire.id,
            action=action,
            invitation=invitation,
        )
    return True


def send_reminders(ctx: Context, action: Action) -> bool:
    """Remind both shortly before the talk (CHK-2); skipped once the day has passed."""
    found = live_hire_step(ctx, action)
    if found is None or ctx.day > found[1].due_date:
        return False
    hire, step = found
    talk = _talk_context(ctx, hire, step)
    for who, to in (
        ("leidinggevende", ctx.recipient(ctx.person(hire.manager_id))),
        ("medewerker", ctx.hire_recipient(hire)),
    ):
        ctx.mail(
            key=f"{action.key}:{who}",
            template="checkin_herinnering",
            to=to,
            context={**talk, "rol": who},
            case_type="hire",
            case_id=hire.id,
            action=action,
        )
    return True


def ask_to_record(ctx: Context, action: Action) -> bool:
    """Ask the leidinggevende to record that the talk took place, if not yet done (CHK-3)."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    held = link_url(
        ctx,
        action=HELD_LINK,
        subject_id=hire.manager_id,
        case_type="hire",
        case_id=hire.id,
        step_id=step.id,
    )
    ctx.mail(
        key=f"{action.key}:leidinggevende",
        template="checkin_vastleggen",
        to=ctx.recipient(ctx.person(hire.manager_id)),
        context={**_talk_context(ctx, hire, step), "step_id": step.id, "links": {"held": held}},
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    return True


def escalate_to_po(ctx: Context, action: Action) -> bool:
    """Tell P&O that a talk is still not recorded as held (CHK-3)."""
    found = live_hire_step(ctx, action)
    if found is None:
        return False
    hire, step = found
    ctx.mail(
        key=f"{action.key}:po",
        template="checkin_escalatie",
        to=ctx.po_recipient(),
        context=_talk_context(ctx, hire, step),
        case_type="hire",
        case_id=hire.id,
        action=action,
    )
    ctx.audit("step.escalated", "step", str(step.id), hire=hire.id, to="po")
    return True


def record_checkin_held(
    ctx: Context,
    hire_id: str,
    month: int,
    *,
    by: str,
    note: str | None = None,
    at: datetime | None = None,
) -> Step:
    """Record that check-in `month` of the hire took place (CHK-2); the note is stored only."""
    step = ctx.step(case_type="hire", case_id=hire_id, key=f"checkin:{month}")
    if step is None:
        from poflow._exceptions import NotFound

        raise NotFound(f"Hire {hire_id} has no check-in at {month} month(s)")
    step_close(step, StepState.DONE, by=by, note=note)
    ctx.audit("step.done", "step", str(step.id), hire=hire_id, key=step.key, has_note=bool(note))
    return step


def _held_step(ctx: Context, link: ActionLink) -> Step | None:
    step = ctx.session.get(Step, link.step_id) if link.step_id is not None else None
    return step if step is not None and step.case_id == link.case_id else None


def _describe_held(ctx: Context, link: ActionLink) -> str:
    step = _held_step(ctx, link)
    hire = ctx.session.get(Hire, link.case_id)
    if step is None or hire is None or step.starts_at is None:
        return "Dit gesprek is niet (meer) bekend."
    when = step.starts_at.astimezone(TZ)
    text = (
        f"Je bevestigt dat het bij praat moment na {step.data.get('month')} maand(en) met "
        f"{hire.full_name}, gepland op {when:%d-%m-%Y} om {when:%H:%M}, heeft "
        "plaatsgevonden. Een aantekening is niet verplicht; die wordt alleen bij dit "
        "gesprek bewaard."
    )
    if step.state != StepState.OPEN:
        text += "\n\nLet op: dit gesprek is al vastgelegd of vervallen."
    return text


def _perform_held(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = _held_step(ctx, link)
    if step is None:
        raise ActionRefused("Dit gesprek is niet (meer) bekend bij poflow.")
    if step.state == StepState.DONE:
        raise ActionRefused(
            "Dit gesprek is al vastgelegd als gehouden. Je hoeft niets meer te doen."
        )
    if step.state != StepState.OPEN:
        raise ActionRefused(
            "Dit gesprek is vervallen (bijvoorbeeld omdat de indiensttreding "
            "niet doorgaat). Je hoeft niets meer te doen."
        )
    record_checkin_held(
        ctx,
        link.case_id,
        int(step.data["month"]),
        by=link.subject_id,
        note=form.get("notitie", "").strip() or None,
    )
    return "Dank je wel. Het gesprek is vastgelegd als gehouden."


HELD = LinkAction(
    name=HELD_LINK,
    title="Gesprek heeft plaatsgevonden",
    describe=_describe_held,
    perform=_perform_held,
    fields=(
        FormField("notitie", "Aantekening (niet verplicht)", kind="textarea", max_length=2000),
    ),
    button="Gesprek heeft plaatsgevonden",
)

# The action kinds this module performs, for the process declaration.
HANDLERS: dict[str, Handler] = {
    INVITE: send_invitations,
    REMIND: send_reminders,
    RECORD: ask_to_record,
    ESCALATE: escalate_to_po,
}
