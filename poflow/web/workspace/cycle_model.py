"""What the conversation-cycle pages of the workspace show (read only): one employee's cycle as
`poflow cycle show` prints it (talks and POP forms, appraisals with their raise decision,
legal-status decisions; never the scores), and every cycle at a glance as `poflow cycle list`
does, with names for P&O. The reading itself is poflow/conversations/status.py's."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poflow.conversations.case import Case
from poflow.conversations.models import CycleBasis, GesCycle
from poflow.conversations.rules import LegalKind
from poflow.conversations.states import LegalState
from poflow.conversations.status import (
    appraisals,
    cycle_steps,
    cycles,
    legal_decisions,
    next_open_step,
)
from poflow.db.models import Hire, Person, PersonRole
from poflow.kernel.vocabulary import CaseType, Role
from poflow.kernel.wording import date_nl
from poflow.states import StepState

__all__ = [
    "BASIS_NL",
    "LEGAL_NL",
    "case_name",
    "cycle_details",
    "cycle_rows",
    "leidinggevenden",
]

BASIS_NL = {
    CycleBasis.INTRODUCTIE: "na het introductieprogramma",
    CycleBasis.PROEFTIJD: "na de proeftijd",
    CycleBasis.GEKOZEN: "op een gekozen datum",
}
LEGAL_NL = {  # the decision's state in words and its label class (not by colour alone)
    LegalState.AWAITING_APPRAISAL: ("wacht op het extra beoordelingsgesprek", "open"),
    LegalState.READY: ("beoordeling vastgelegd: het besluit kan worden genomen", "open"),
    LegalState.DECIDED: ("besloten", "klaar"),
    LegalState.CANCELLED: ("ingetrokken", "klaar"),
}
STEP_NL = {StepState.OPEN: "open", StepState.DONE: "gedaan", StepState.CANCELLED: "vervallen"}


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    """Full names of the hires and staff with these ids."""
    found = {h.id: h.full_name for h in session.scalars(select(Hire).where(Hire.id.in_(ids)))}
    people = session.scalars(select(Person).where(Person.id.in_(ids)))
    return found | {p.id: p.full_name for p in people}


def case_name(session: Session, case: Case) -> str:
    """The employee's full name."""
    return _names(session, {case.case_id}).get(case.case_id, case.case_id)


def leidinggevenden(session: Session, municipality: str) -> list[tuple[str, str]]:
    """The municipality's leidinggevenden as (person id, "name (team)"), by name."""
    people = session.scalars(
        select(Person)
        .join(PersonRole)
        .where(
            PersonRole.role == Role.LEIDINGGEVENDE.value, PersonRole.municipality == municipality
        )
        .order_by(Person.family_name, Person.given_name)
    ).unique()
    return [(p.id, f"{p.full_name} ({p.team})") for p in people]


def _yes(value: bool | None) -> str:
    return "ja" if value else "nee"


def _raise(on: date | None, *, granted: bool | None) -> str:
    """The raise decision of an appraisal in words."""
    if on is None:
        return "-"
    return f"{date_nl(on)}: {'toegekend' if granted else 'niet toegekend'}"


def _summary(cycle: GesCycle, names: dict[str, str]) -> list[tuple[str, str]]:
    """The cycle's facts as (term, description) for a .gegevens list."""
    return [
        ("Gestart", BASIS_NL.get(cycle.basis, cycle.basis.value)),
        ("Stand", "loopt" if cycle.state.value == "actief" else "gestopt"),
        ("Leidinggevende", names.get(cycle.manager_id, cycle.manager_id)),
        ("Ronde", str(cycle.current_round)),
        ("Eerste richtgesprek", date_nl(cycle.first_richtgesprek)),
        ("In dienst sinds", date_nl(cycle.joined_on)),
        ("Maximum van de schaal bereikt", _yes(cycle.at_scale_max)),
        ("Laatste periodiek", date_nl(cycle.last_raise_on) if cycle.last_raise_on else "-"),
        (
            "Laatste promotie",
            date_nl(cycle.last_promotion_on) if cycle.last_promotion_on else "-",
        ),
    ]


def cycle_details(
    session: Session, case: Case, cycle: GesCycle | None, day: date
) -> dict[str, Any]:
    """What `poflow cycle show` prints of the case, in Dutch, with names instead of ids."""
    steps = cycle_steps(session, case)
    rows = appraisals(session, case)
    decisions = legal_decisions(session, case)
    ids = {r.recorded_by for r in rows} | {d.manager_id for d in decisions}
    ids |= {s.owner_id for s in steps if s.owner_id}
    if cycle is not None:
        ids.add(cycle.manager_id)
    names = _names(session, ids)
    return {
        "samenvatting": _summary(cycle, names) if cycle else [],
        "stappen": [
            {
                "datum": date_nl(s.due_date),
                "titel": s.title,
                "stand": STEP_NL.get(s.state, s.state.value),
                "klasse": "klaar"
                if s.state != StepState.OPEN
                else ("te-laat" if s.due_date < day else "open"),
                "te_laat": s.state == StepState.OPEN and s.due_date < day,
            }
            for s in steps
        ],
        "beoordelingen": [
            {
                "soort": f"ronde {r.round}"
                if r.round
                else f"extra, bij besluit {r.legal_decision_id}",
                "datum": date_nl(r.talk_on),
                "door": names.get(r.recorded_by, r.recorded_by),
                "periodiek": "-"
                if r.raise_on is None
                else f"{date_nl(r.raise_on)}: "
                + ("toegekend" if r.raise_granted else "niet toegekend"),
            }
            for r in rows
        ],
        "besluiten": [
            {
                "id": d.id,
                "soort": d.kind.label,
                "stand": LEGAL_NL[d.state][0],
                "klasse": LEGAL_NL[d.state][1],
                "gesprek": date_nl(d.appraisal_on),
                "leidinggevende": names.get(d.manager_id, d.manager_id),
                "open": d.state in (LegalState.AWAITING_APPRAISAL, LegalState.READY),
            }
            for d in decisions
        ],
        "redenen": [(k.value, k.label) for k in LegalKind],
    }


def cycle_rows(session: Session, municipality: str, day: date) -> list[dict[str, Any]]:
    """Every cycle of the municipality, as `poflow cycle list`: whose, which round, the next
    open talk and whether it is late."""
    every = cycles(session, municipality)
    names = _names(session, {c.case_id for c in every} | {c.manager_id for c in every})
    out = []
    for c in every:
        nxt = next_open_step(session, c)
        out.append(
            {
                "id": c.case_id,
                "naam": names.get(c.case_id, c.case_id),
                "nieuw": c.case_type == CaseType.HIRE,
                "leidinggevende": names.get(c.manager_id, c.manager_id),
                "ronde": c.current_round,
                "volgende": f"{date_nl(nxt.due_date)}: {nxt.title}" if nxt else "-",
                "te_laat": nxt is not None and nxt.due_date < day,
            }
        )
    return out
