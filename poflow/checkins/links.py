"""The check-in's link (CHK-2): the leidinggevende confirms that the talk took place; the same
recording serves `poflow checkin held`."""

from __future__ import annotations

from datetime import datetime

from poflow._exceptions import ActionRefused, NotFound
from poflow.db.models import Hire, Step
from poflow.engine import TZ, Context, step_close
from poflow.kernel.vocabulary import CaseType
from poflow.kernel.wording import date_nl, months_phrase
from poflow.links import ActionLink, FormField, LinkAction
from poflow.states import StepState

__all__ = ["HELD", "HELD_LINK", "LINK_ACTIONS", "record_checkin_held"]

HELD_LINK = "checkin.held"


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
    step = ctx.step(case_type=CaseType.HIRE, case_id=hire_id, key=f"checkin:{month}")
    if step is None:
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
