"""The actions the cycle's mailed links carry: the POP form is in (GES-2), the richtgesprek took
place (GES-1), the appraisal form (GES-3, recorded by `appraisals.record_appraisal`).

The first two record their step here; each link action describes itself on its page and
performs with the link's person as the actor.
"""

from __future__ import annotations

from poflow._exceptions import AppraisalRefused
from poflow.conversations import kinds
from poflow.conversations.appraisals import MAX_MOTIVATION, parse_form, record_appraisal
from poflow.conversations.case import PROCESS, employee_recipient
from poflow.conversations.rules import COMPONENTS, Score
from poflow.db.models import Step
from poflow.engine import Context, step_close
from poflow.kernel.vocabulary import Role
from poflow.kernel.wording import date_nl
from poflow.links import ActionLink, FormField, LinkAction
from poflow.states import StepState

__all__ = [
    "FORM_LINK",
    "LINK_ACTIONS",
    "POP_LINK",
    "RICHTGESPREK_LINK",
    "record_pop_in",
    "record_richtgesprek_held",
]


def _talk_step(ctx: Context, step_id: int | None, talk: str) -> Step:
    """The open or done talk a link names, refused (Dutch) when it is not one of the cycle's."""
    step = ctx.session.get(Step, step_id) if step_id is not None else None
    if step is None or step.process != PROCESS or step.data.get("talk") != talk:
        raise AppraisalRefused("Dit formulier hoort niet bij een gesprek uit de gesprekscyclus.")
    if step.state == StepState.CANCELLED:
        raise AppraisalRefused("Dit gesprek is geannuleerd; er valt niets meer vast te leggen.")
    return step


def record_pop_in(ctx: Context, step: Step, *, by: str) -> bool:
    """Mark the POP form as handed in, tell the leidinggevende (GES-2); False if it already was."""
    if step.state != StepState.OPEN:
        return False
    step_close(step, StepState.DONE, by=by)
    ctx.audit("ges.pop.in", "step", str(step.id), case=step.case_id)
    talk = ctx.session.get(Step, step.data.get("talk_step"))
    manager = ctx.person(talk.owner_id if talk and talk.owner_id else step.owner_id or "")
    employee = employee_recipient(ctx, step.case_type, step.case_id)
    ctx.mail(
        key=f"ges.pop_in:{step.id}:{Role.LEIDINGGEVENDE}",
        template="conversations/pop_binnen",
        to=ctx.recipient(manager),
        context={
            "medewerker": employee.name,
            "deadline": step.due_date,
            "gesprek": talk.starts_at if talk else None,
        },
        case_type=step.case_type,
        case_id=step.case_id,
    )
    return True


def record_richtgesprek_held(ctx: Context, step: Step, *, by: str) -> bool:
    """Record that the richtgesprek took place; False if it already was."""
    if step.state != StepState.OPEN:
        return False
    step_close(step, StepState.DONE, by=by)
    ctx.audit("step.done", "step", str(step.id), case=step.case_id, key=step.key)
    return True


def _name_and_day(ctx: Context, link: ActionLink) -> tuple[str, Step | None]:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    name = employee_recipient(ctx, link.case_type, link.case_id).name
    return name, step


def _describe_pop(ctx: Context, link: ActionLink) -> str:
    name, step = _name_and_day(ctx, link)
    deadline = f" (uiterlijk {date_nl(step.due_date)})" if step else ""
    return (
        f"Beste {name}, bevestig hier dat je je ingevulde POP-formulier (pagina 1 tot en "
        f"met 5) bij je leidinggevende hebt ingeleverd{deadline}. Je leidinggevende krijgt "
        "bericht."
    )


def _perform_pop(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.process != PROCESS or not step.key.endswith(":pop"):
        raise AppraisalRefused("Deze link hoort niet bij een POP-formulier.")
    if not record_pop_in(ctx, step, by=link.subject_id):
        return "Je had al doorgegeven dat je POP-formulier binnen is. Dank je wel!"
    return "Dank je wel! Je leidinggevende weet nu dat je POP-formulier binnen is."


def _describe_richt(ctx: Context, link: ActionLink) -> str:
    name, step = _name_and_day(ctx, link)
    day = f" van {date_nl(step.due_date)}" if step else ""
    return f"Bevestig dat het richtgesprek{day} met {name} heeft plaatsgevonden."


def _perform_richt(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = _talk_step(ctx, link.step_id, "richtgesprek")
    if not record_richtgesprek_held(ctx, step, by=link.subject_id):
        return "Dit richtgesprek was al vastgelegd. Dank je wel!"
    return "Dank je wel! Het richtgesprek is vastgelegd."


def _describe_form(ctx: Context, link: ActionLink) -> str:
    name, step = _name_and_day(ctx, link)
    day = f" op {date_nl(step.due_date)}" if step else ""
    return (
        f"Beoordelingsformulier voor het beoordelingsgesprek met {name}{day}. Geef per "
        "onderdeel (prestatie, potentieel en de ontwikkelpunten op de kernwaarden) een score "
        "met een motivatie. De medewerker ontvangt het formulier op de dag van het gesprek; "
        "P&O neemt het op in het personeelsdossier."
    )


def _perform_form(ctx: Context, link: ActionLink, form: dict[str, str]) -> str:
    step = _talk_step(ctx, link.step_id, "beoordelingsgesprek")
    record_appraisal(ctx, step, parse_form(form), by=link.subject_id)
    return (
        "Dank je wel! Het beoordelingsformulier is vastgelegd. De medewerker ontvangt het "
        "op de dag van het gesprek en P&O neemt het op in het personeelsdossier."
    )


_SCORE_CHOICES = tuple((s.value, s.label) for s in Score)

POP_LINK = LinkAction(
    name=kinds.LINK_POP,
    needs_login=False,
    title="Ingeleverd POP-formulier melden",
    done="POP-formulier gemeld als ingeleverd",
    describe=_describe_pop,
    perform=_perform_pop,
    button="Ik heb mijn POP-formulier ingeleverd",
)
RICHTGESPREK_LINK = LinkAction(
    name=kinds.LINK_RICHT,
    needs_login=True,
    title="Gevoerd richtgesprek vastleggen",
    done="richtgesprek vastgelegd als gehouden",
    describe=_describe_richt,
    perform=_perform_richt,
    button="Richtgesprek heeft plaatsgevonden",
)
FORM_LINK = LinkAction(
    name=kinds.LINK_FORM,
    needs_login=True,
    title="Beoordeling vastleggen",
    done="beoordeling vastgelegd",
    describe=_describe_form,
    perform=_perform_form,
    button="Beoordeling vastleggen",
    expires_days=30,
    fields=tuple(
        f
        for c in COMPONENTS
        for f in (
            FormField(
                name=c.value,
                label=f"{c.label}: score",
                kind="select",
                required=True,
                choices=_SCORE_CHOICES,
            ),
            FormField(
                name=f"{c.value}_motivatie",
                label=f"{c.label}: motivatie",
                kind="textarea",
                required=True,
                max_length=MAX_MOTIVATION,
            ),
        )
    ),
)

LINK_ACTIONS = (POP_LINK, RICHTGESPREK_LINK, FORM_LINK)
