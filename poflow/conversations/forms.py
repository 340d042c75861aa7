"""The forms of the cycle: POP form in (GES-2), richtgesprek held, the appraisal form (GES-3/4).

Each is a service function (tests and the CLI call it) and a registered link action (the web app
serves it). Recording an appraisal closes the talk, applies the raise rule to a regular round,
unblocks the legal decision of an extra one, plans the next round, and schedules the mails that
share the form with the employee, tell P&O and archive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from poflow._exceptions import AppraisalRefused
from poflow.conversations import kinds
from poflow.conversations.case import PROCESS, employee_recipient, section
from poflow.conversations.models import Appraisal, GesCycle, LegalDecision
from poflow.conversations.rules import COMPONENTS, Score, Scores, decide_raise, periodiek_date
from poflow.conversations.states import LEGAL_STATES, LegalState
from poflow.conversations.talks import plan_round
from poflow.db.models import Step
from poflow.engine import Context, step_close
from poflow.links import ActionLink, FormField, LinkAction
from poflow.states import StepState

__all__ = [
    "AppraisalForm",
    "parse_form",
    "record_appraisal",
    "record_pop_in",
    "record_richtgesprek_held",
]

MAX_MOTIVATION = 4000


@dataclass(frozen=True, slots=True)
class AppraisalForm:
    """The filled-in appraisal form: three scores, each with its motivation."""

    scores: Scores
    motivations: dict[str, str]


def parse_form(form: dict[str, str]) -> AppraisalForm:
    """Check the posted form: a known score and a motivation per component (Dutch refusal)."""
    scores: dict[str, Score] = {}
    motivations: dict[str, str] = {}
    for c in COMPONENTS:
        raw = (form.get(c.value) or "").strip()
        try:
            scores[c.value] = Score(raw)
        except ValueError:
            raise AppraisalRefused(
                f"Kies bij '{c.label}' een score: onvoldoende, voldoende, goed of zeer goed."
            ) from None
        text = (form.get(f"{c.value}_motivatie") or "").strip()
        if not text:
            raise AppraisalRefused(f"Geef bij '{c.label}' een motivatie bij de score.")
        if len(text) > MAX_MOTIVATION:
            raise AppraisalRefused(
                f"De motivatie bij '{c.label}' is langer dan {MAX_MOTIVATION} tekens."
            )
        motivations[c.value] = text
    return AppraisalForm(Scores(**scores), motivations)


def _talk_step(ctx: Context, step_id: int | None, talk: str) -> Step:
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
        key=f"ges.pop_in:{step.id}:leidinggevende",
        template="ges_pop_binnen",
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


def record_appraisal(ctx: Context, step: Step, form: AppraisalForm, *, by: str) -> Appraisal:
    """Record the appraisal of a beoordelingsgesprek (GES-3) and what follows from it (GES-4/5)."""
    if step.state != StepState.OPEN:
        raise AppraisalRefused("Het beoordelingsformulier van dit gesprek is al vastgelegd.")
    if by != step.owner_id:
        raise AppraisalRefused(
            "Alleen de leidinggevende van dit gesprek kan het beoordelingsformulier vastleggen."
        )
    talk_on = step.due_date
    row = Appraisal(
        municipality=step.municipality,
        case_type=step.case_type,
        case_id=step.case_id,
        step_id=step.id,
        talk_on=talk_on,
        recorded_by=by,
        cycle_id=step.data.get("cycle"),
        round=step.data.get("round"),
        legal_decision_id=step.data.get("extra"),
    )
    for c, score in form.scores.items():
        setattr(row, c.value, score)
        setattr(row, f"{c.value}_motivatie", form.motivations[c.value])
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
    except IntegrityError:
        raise AppraisalRefused(
            "Het beoordelingsformulier van dit gesprek is al vastgelegd."
        ) from None
    step_close(step, StepState.DONE, by=by)
    ctx.audit(
        "ges.appraisal.recorded",
        "ges_appraisal",
        str(row.id),
        case=step.case_id,
        step=step.id,
        round=row.round,
        extra=row.legal_decision_id,
    )
    if row.cycle_id is not None and row.round is not None:
        _decide_raise(ctx, row, ctx.session.get(GesCycle, row.cycle_id))
    if row.legal_decision_id is not None:
        decision = ctx.session.get(LegalDecision, row.legal_decision_id)
        if decision is not None and decision.state == LegalState.AWAITING_APPRAISAL:
            LEGAL_STATES.check(f"legal decision {decision.id}", decision.state, LegalState.READY)
            decision.state = LegalState.READY
            ctx.audit("ges.legal.ready", "ges_legal_decision", str(decision.id), appraisal=row.id)
    due = max(ctx.day, talk_on)
    for kind in (kinds.SHARE, kinds.DECISION, kinds.ARCHIVE):
        ctx.schedule(
            case_type=step.case_type,
            case_id=step.case_id,
            kind=kind,
            step=step,
            key=f"{kind}:{row.id}",
            due=due,
        )
    return row


def _decide_raise(ctx: Context, row: Appraisal, cycle: GesCycle | None) -> None:
    """Apply CAO art. 3.4 to a regular round, record it, and plan the next round (GES-4)."""
    if cycle is None:
        return
    cfg = section(ctx)
    on: date = periodiek_date(cycle.raise_anchor, row.talk_on, months=cfg.months_between_cycles)
    decision = decide_raise(
        Scores(row.prestatie, row.potentieel, row.kernwaarden),
        at_scale_max=cycle.at_scale_max,
        joined_on=cycle.joined_on,
        last_raise_on=cycle.last_raise_on,
        last_promotion_on=cycle.last_promotion_on,
        on=on,
        min_months=cfg.raise_min_months,
    )
    row.raise_on, row.raise_granted = on, decision.granted
    row.raise_reasons = ",".join(r.value for r in decision.reasons) or None
    if decision.granted:
        cycle.last_raise_on = on
    ctx.audit("ges.raise.decided", "ges_appraisal", str(row.id), cycle=cycle.id, on=on.isoformat())
    if row.round == cycle.current_round:
        cycle.current_round += 1
        plan_round(ctx, cycle, cycle.current_round)


# -- link actions -------------------------------------------------------------------------------
def _name_and_day(ctx: Any, link: ActionLink) -> tuple[str, Step | None]:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    name = employee_recipient(ctx, link.case_type, link.case_id).name
    return name, step


def _describe_pop(ctx: Any, link: ActionLink) -> str:
    name, step = _name_and_day(ctx, link)
    deadline = f" (uiterlijk {step.due_date:%d-%m-%Y})" if step else ""
    return (
        f"Beste {name}, bevestig hier dat je je ingevulde POP-formulier (pagina 1 tot en "
        f"met 5) bij je leidinggevende hebt ingeleverd{deadline}. Je leidinggevende krijgt "
        "bericht."
    )


def _perform_pop(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
    step = ctx.session.get(Step, link.step_id) if link.step_id else None
    if step is None or step.process != PROCESS or not step.key.endswith(":pop"):
        raise AppraisalRefused("Deze link hoort niet bij een POP-formulier.")
    if not record_pop_in(ctx, step, by=link.subject_id):
        return "Je had al doorgegeven dat je POP-formulier binnen is. Dank je wel!"
    return "Dank je wel! Je leidinggevende weet nu dat je POP-formulier binnen is."


def _describe_richt(ctx: Any, link: ActionLink) -> str:
    name, step = _name_and_day(ctx, link)
    day = f" van {step.due_date:%d-%m-%Y}" if step else ""
    return f"Bevestig dat het richtgesprek{day} met {name} heeft plaatsgevonden."


def _perform_richt(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
    step = _talk_step(ctx, link.step_id, "richtgesprek")
    if not record_richtgesprek_held(ctx, step, by=link.subject_id):
        return "Dit richtgesprek was al vastgelegd. Dank je wel!"
    return "Dank je wel! Het richtgesprek is vastgelegd."


def _describe_form(ctx: Any, link: ActionLink) -> str:
    name, step = _name_and_day(ctx, link)
    day = f" op {step.due_date:%d-%m-%Y}" if step else ""
    return (
        f"Beoordelingsformulier voor het beoordelingsgesprek met {name}{day}. Geef per "
        "onderdeel (prestatie, potentieel en de ontwikkelpunten op de kernwaarden) een score "
        "met een motivatie. De medewerker ontvangt het formulier op de dag van het gesprek; "
        "P&O neemt het op in het personeelsdossier."
    )


def _perform_form(ctx: Any, link: ActionLink, form: dict[str, str]) -> str:
    step = _talk_step(ctx, link.step_id, "beoordelingsgesprek")
    record_appraisal(ctx, step, parse_form(form), by=link.subject_id)
    return (
        "Dank je wel! Het beoordelingsformulier is vastgelegd. De medewerker ontvangt het "
        "op de dag van het gesprek en P&O neemt het op in het personeelsdossier."
    )


_SCORE_CHOICES = tuple((s.value, s.label) for s in Score)

POP_LINK = LinkAction(
    name=kinds.LINK_POP,
    title="POP-formulier ingeleverd",
    describe=_describe_pop,
    perform=_perform_pop,
    button="Ik heb mijn POP-formulier ingeleverd",
)
RICHTGESPREK_LINK = LinkAction(
    name=kinds.LINK_RICHT,
    title="Richtgesprek heeft plaatsgevonden",
    describe=_describe_richt,
    perform=_perform_richt,
    button="Richtgesprek heeft plaatsgevonden",
)
FORM_LINK = LinkAction(
    name=kinds.LINK_FORM,
    title="Beoordelingsformulier",
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
