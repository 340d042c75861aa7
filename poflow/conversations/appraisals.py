"""The appraisal form (GES-3) and what recording it sets in motion.

Recording an appraisal closes the beoordelingsgesprek, applies the raise rule to a regular round
and plans the next round (GES-4), unblocks the legal-status decision of an extra appraisal
(GES-5), and schedules the mails that share the form with the employee, tell P&O and archive it
(GES-6). The web app reaches it through the form link (`links`); tests call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from poflow._exceptions import AppraisalRefused
from poflow.conversations import kinds
from poflow.conversations.case import section
from poflow.conversations.models import Appraisal, GesCycle, LegalDecision
from poflow.conversations.rules import COMPONENTS, Score, Scores, decide_raise, periodiek_date
from poflow.conversations.states import LEGAL_STATES, LegalState
from poflow.conversations.talks import plan_round
from poflow.db.models import Step
from poflow.engine import Context, step_close
from poflow.states import StepState

__all__ = ["MAX_MOTIVATION", "AppraisalForm", "parse_form", "record_appraisal"]

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
        row.scores,
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
