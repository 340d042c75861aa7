"""The check-in's link (CHK-2): the leidinggevende confirms that the talk took place; the same
recording serves `poflow checkin held`, and P&O's page records it on their behalf (CHK-3)."""

from __future__ import annotations

from poflow._exceptions import ActionRefused, CheckinRefused, NotFound
from poflow.checkins.rules import check_held, check_held_on_behalf
from poflow.db.models import Hire, Step
from poflow.engine import TZ, Context, step_close
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl, months_phrase
from poflow.links import ActionLink, FormField, LinkAction
from poflow.states import StepState

__all__ = [
    "HELD",
    "HELD_LINK",
    "LINK_ACTIONS",
    "held_talk",
    "record_checkin_held",
    "record_held_on_behalf",
]

HELD_LINK = "checkin.held"


# What a closed talk's page says: already recorded (True) or cancelled (False).
_CLOSED = {
    True: "Dit gesprek is al vastgelegd als gehouden. Je hoeft niets meer te doen.",
    False: "Dit gesprek is vervallen (bijvoorbeeld omdat de indiensttreding niet doorgaat). "
    "Je hoeft niets meer te doen.",
}


def held_talk(ctx: Context, hire_id: str, month: int) -> tuple[Hire, Step]:
    """The hire and their check-in step after `month` months; NotFound names what is missing."""
    hire = ctx.session.get(Hire, hire_id)
    step = ctx.step(case_type=CaseType.HIRE, case_id=hire_id, key=f"checkin:{month}")
    if hire is None or step is None:
        raise NotFound(f"Hire {hire_id} has no check-in at {month} month(s)")
    return hire, step


def record_checkin_held(
    ctx: Context,
    hire_id: str,
    month: int,
    *,
    by: str,
    note: str | None = None,
    via: str | None = None,
) -> Step:
    """Record that check-in `month` of the hire took place (CHK-2): only by the hire's
    leidinggevende, not before the talk's date (CheckinRefused); the note is stored only.
    `via` names the command-line operator when it came through `poflow checkin held`."""
    hire, step = held_talk(ctx, hire_id, month)
    check_held(by=by, manager_id=hire.manager_id, talk_on=step.due_date, day=ctx.day)
    step_close(step, StepState.DONE, by=by, note=note)
    extra = {"via": via} if via else {}
    ctx.audit(
        "step.done",
        "step",
        str(step.id),
        hire=hire_id,
        key=step.key,
        has_note=bool(note),
        **extra,
    )
    return step


def record_held_on_behalf(
    ctx: Context,
    hire_id: str,
    month: int,
    *,
    by: str,
    roles: frozenset[str],
    municipality: str,
    reason: str,
) -> Step:
    """P&O records a talk as held on behalf of the hire's leidinggevende (CHK-3): only a P&O
    adviser of the hire's municipality, with a reason, not before the talk's date; audited as
    `checkin.held` by the adviser, on behalf of the leidinggevende, with the reason (X-4)."""
    hire, step = held_talk(ctx, hire_id, month)
    check_held_on_behalf(
        roles=roles,
        same_municipality=municipality == hire.municipality,
        reason=reason,
        talk_on=step.due_date,
        day=ctx.day,
    )
    if step.state != StepState.OPEN:
        raise CheckinRefused(_CLOSED[step.state == StepState.DONE])
    step_close(step, StepState.DONE, by=by)
    ctx.audit(
        "checkin.held",
        "step",
        str(step.id),
        hire=hire_id,
        key=step.key,
        on_behalf_of=hire.manager_id,
        reason=reason.strip(),
    )
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
        f"Je bevestigt dat het bijpraatmoment na {months_phrase(int(step.data['month']))} met "
        f"{hire.full_name}, gepland op {date_nl(when)} om {when:%H:%M} uur, heeft "
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
    if step.state != StepState.OPEN:
        raise ActionRefused(_CLOSED[step.state == StepState.DONE])
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
    needs_login=True,
    title="Gevoerd bijpraatmoment vastleggen",
    done="bijpraatmoment vastgelegd als gehouden",
    describe=_describe_held,
    perform=_perform_held,
    fields=(
        FormField("notitie", "Aantekening (niet verplicht)", kind="textarea", max_length=2000),
    ),
    button="Gesprek heeft plaatsgevonden",
)

LINK_ACTIONS = (HELD,)
