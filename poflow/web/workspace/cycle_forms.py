"""The forms of one employee's conversation-cycle page (poflow/web/workspace/gesprekken_cycle.py):
each reads its fields, says what is wrong per field in Dutch, and calls the same domain function
as `poflow cycle start|update` and `poflow appraisal extra|decide`; a refusal of the domain
becomes a Dutch message on the field it concerns."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException

from poflow._exceptions import AppraisalRequired, IllegalTransition, InputRefused, NotFound
from poflow.conversations.case import Case, find_cycle
from poflow.conversations.cycle import start_case_cycle, update_cycle_facts
from poflow.conversations.decisions import plan_extra_appraisal, record_legal_decision
from poflow.conversations.models import LegalDecision
from poflow.conversations.rules import LegalKind
from poflow.engine import Context
from poflow.web.workspace.frame import Form

__all__ = ["DONE", "LABELS", "FormProblem", "decide", "extra", "scale", "start"]

LABELS = {
    "start_datum": "Datum van het eerste richtgesprek",
    "start_leidinggevende": "Leidinggevende",
    "start_in_dienst": "In dienst sinds",
    "start_periodiek": "Laatste periodiek (als die er was)",
    "start_promotie": "Laatste promotie (als die er was)",
    "start_maximum": "Maximum van de schaal bereikt?",
    "schaal_maximum": "Maximum van de schaal bereikt?",
    "schaal_periodiek": "Laatste periodiek",
    "schaal_promotie": "Laatste promotie",
    "extra_reden": "Besluit",
    "extra_datum": "Datum van het extra beoordelingsgesprek",
    "extra_leidinggevende": "Leidinggevende die het gesprek voert",
    "notitie": "Notitie bij het besluit (niet verplicht)",
}
DONE = {
    "gestart": "De gesprekscyclus is gestart. De uitnodiging voor het richtgesprek en het "
    "verzoek om het POP-formulier gaan bij de volgende ronde van poflow uit.",
    "schaal": "De gegevens over de schaal zijn vastgelegd.",
    "extra": "Het extra beoordelingsgesprek is gepland. Het besluit wacht tot de beoordeling "
    "is vastgelegd.",
    "besluit": "Het besluit is vastgelegd.",
}


class FormProblem(Exception):
    """The form's errors per field, in Dutch: nothing was changed (a refusal that is audited,
    `kept`, commits its audit row and nothing else)."""

    def __init__(self, errors: dict[str, str], status: int = 422, *, kept: bool = False) -> None:
        self.errors, self.status, self.kept = errors, status, kept
        super().__init__("; ".join(errors.values()))


def _day(form: Form, name: str, errors: dict[str, str], *, required: bool = False) -> date | None:
    """The date of field `name`, or None; a Dutch error for a malformed or missing one."""
    text = form.one(name)
    if not text:
        if required:
            errors[name] = f"{LABELS[name]}: vul een datum in."
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{LABELS[name]}: {text} is geen datum; schrijf bijvoorbeeld 2027-03-01."
        return None


def start(ctx: Context, case: Case, form: Form) -> None:
    errors: dict[str, str] = {}
    on = _day(form, "start_datum", errors, required=True)
    joined = _day(form, "start_in_dienst", errors)
    raised, promoted = _day(form, "start_periodiek", errors), _day(form, "start_promotie", errors)
    if errors or on is None:
        raise FormProblem(errors)
    manager = form.one("start_leidinggevende") or None
    try:
        start_case_cycle(
            ctx,
            case,
            on=on,
            manager_id=manager,
            joined_on=joined,
            last_raise_on=raised,
            last_promotion_on=promoted,
            at_scale_max=form.one("start_maximum") == "ja",
        )
    except InputRefused as exc:
        field = {"joined": "start_in_dienst", "manager": "start_leidinggevende"}[exc.field]
        raise FormProblem(
            {field: f"{LABELS[field]}: verplicht voor een medewerker in dienst."}
        ) from None
    except NotFound:
        raise FormProblem({"start_leidinggevende": "Deze leidinggevende is onbekend."}) from None
    except IllegalTransition:
        if find_cycle(ctx.session, case.case_type, case.case_id) is not None:
            raise FormProblem({"start_datum": "Er loopt al een gesprekscyclus."}, 409) from None
        raise FormProblem(
            {"start_leidinggevende": "Deze persoon is geen leidinggevende van deze gemeente."}
        ) from None


def scale(ctx: Context, case: Case, form: Form) -> None:
    errors: dict[str, str] = {}
    raised, promoted = _day(form, "schaal_periodiek", errors), _day(form, "schaal_promotie", errors)
    top = {"ja": True, "nee": False}.get(form.one("schaal_maximum"))
    if errors:
        raise FormProblem(errors)
    if top is None and raised is None and promoted is None:
        raise FormProblem({"schaal_maximum": "Vul minstens één gegeven over de schaal in."})
    try:
        update_cycle_facts(
            ctx, case, at_scale_max=top, last_raise_on=raised, last_promotion_on=promoted
        )
    except NotFound:
        raise FormProblem(
            {"schaal_maximum": "Deze medewerker heeft nog geen cyclus."}, 409
        ) from None


def extra(ctx: Context, case: Case, form: Form) -> None:
    errors: dict[str, str] = {}
    on = _day(form, "extra_datum", errors, required=True)
    try:
        kind = LegalKind(form.one("extra_reden"))
    except ValueError:
        errors["extra_reden"] = f"{LABELS['extra_reden']}: kies een van de besluiten."
    if errors or on is None:
        raise FormProblem(errors)
    manager = form.one("extra_leidinggevende") or None
    field = "extra_leidinggevende"
    try:
        plan_extra_appraisal(
            ctx, case, kind=kind, on=on, requested_by=ctx.actor, manager_id=manager
        )
    except NotFound:
        raise FormProblem(
            {field: "Kies de leidinggevende: van deze medewerker is er geen bekend."}
        ) from None
    except IllegalTransition:
        raise FormProblem(
            {field: "Deze persoon is geen leidinggevende van deze gemeente."}
        ) from None


def decide(ctx: Context, case: Case, form: Form, decision_id: int) -> None:
    decision = ctx.session.get(LegalDecision, decision_id)
    if decision is None or (decision.municipality, decision.case_id) != (
        ctx.municipality,
        case.case_id,
    ):
        raise HTTPException(status_code=404)
    note = form.one(f"notitie_{decision_id}") or None
    try:
        record_legal_decision(ctx, decision_id, by=ctx.actor, note=note)
    except AppraisalRequired:  # its audit row stays, as on the command line
        raise FormProblem(
            {
                f"notitie_{decision_id}": "Dit besluit kan nog niet worden vastgelegd: het extra "
                "beoordelingsgesprek is nog niet vastgelegd. Een besluit met rechtspositionele "
                "gevolgen vraagt eerst een beoordeling (GES-5)."
            },
            409,
            kept=True,
        ) from None
    except IllegalTransition:
        raise FormProblem(
            {f"notitie_{decision_id}": "Dit besluit is al vastgelegd of ingetrokken."}, 409
        ) from None
